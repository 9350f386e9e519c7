package dev.sluice.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.error.SluiceException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpTest {
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/collections/textbook_chunks", ex -> {
            byte[] b = "{\"result\":{\"points_count\":36216,\"status\":\"green\"}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/db/neo4j/tx/commit", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Basic " + java.util.Base64.getEncoder().encodeToString("neo4j:s3cret".getBytes(StandardCharsets.UTF_8))).equals(auth)) {
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            byte[] b = "{\"results\":[{\"columns\":[\"count(p)\"],\"data\":[{\"row\":[36216]}]}],\"errors\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsACountFromAServicesJson() {
        Http http = new Http();
        Object all = http.json(base + "/collections/textbook_chunks");
        assertEquals(36216, ((Map<?, ?>) ((Map<?, ?>) all).get("result")).get("points_count"));
        assertEquals(36216, http.json(base + "/collections/textbook_chunks", "result.points_count"));
    }

    @Test
    void serviceDownIsOneClearLine() {
        server.stop(0);
        SluiceException e = assertThrows(SluiceException.class, () -> new Http().json(base + "/collections/textbook_chunks"));
        assertTrue(e.getMessage().contains("Cannot connect") || e.getMessage().contains("failed"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void errorStatusAndMissingPathAreNamed() {
        SluiceException e = assertThrows(SluiceException.class, () -> new Http().json(base + "/broken"));
        assertTrue(e.getMessage().startsWith("HTTP 500"), e.getMessage());
        SluiceException p = assertThrows(SluiceException.class, () -> new Http().json(base + "/collections/textbook_chunks", "result.nope"));
        assertTrue(p.getMessage().contains("no 'result.nope'"), p.getMessage());
    }

    @Test
    void basicAuthIsSentAndARefusalSaysWhatToDo() {
        String url = base + "/db/neo4j/tx/commit";
        Map<String, Object> body = Map.of("statements", java.util.List.of(Map.of("statement", "MATCH (p:Paragraph) RETURN count(p)")));
        Map<?, ?> answer = (Map<?, ?>) new Http().basicAuth("neo4j", "s3cret").post(url, body);
        assertEquals("{results=[{columns=[count(p)], data=[{row=[36216]}]}], errors=[]}", answer.toString());
        SluiceException none = assertThrows(SluiceException.class, () -> new Http().post(url, body));
        assertTrue(none.getMessage().contains("http.basicAuth(user, password)"), none.getMessage());
        SluiceException wrong = assertThrows(SluiceException.class, () -> new Http().basicAuth("neo4j", "nope").post(url, body));
        assertTrue(wrong.getMessage().contains("refused the credentials"), wrong.getMessage());
        assertTrue(!wrong.getMessage().contains("nope") && !new Http().basicAuth("neo4j", "s3cret").toString().contains("s3cret"));
    }
}
