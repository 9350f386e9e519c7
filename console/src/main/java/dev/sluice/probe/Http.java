package dev.sluice.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Redactor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * {@code http.json(url)}: GET (or POST a JSON body) and parse the JSON answer into maps and lists, so a playbook writes
 * {@code http.json("http://127.0.0.1:6333/collections/textbook_chunks").result.points_count}; {@code json(url, "a.b.0.c")}
 * picks one value by path. Timeouts are short and every failure is one line naming the URL and what to check.
 */
public final class Http {
    private static final ObjectMapper MAPPER = Json.mapper();
    private final Duration timeout;
    private final String authorization; // never shown: toString and messages leave it out
    private volatile HttpClient client;

    public Http() {
        this(Duration.ofSeconds(10));
    }

    public Http(Duration timeout) {
        this(timeout, null);
    }

    private Http(Duration timeout, String authorization) {
        this.timeout = timeout;
        this.authorization = authorization;
    }

    /** The same probe with another timeout: {@code http.timeout(30).json(url)}. */
    public Http timeout(int seconds) {
        return new Http(Duration.ofSeconds(seconds), authorization);
    }

    /**
     * The same probe sending HTTP Basic credentials (Neo4j's HTTP API wants them): {@code http.basicAuth('neo4j',
     * System.getenv('NEO4J_PASSWORD'))}. A null or empty password sends none, for services with authentication off.
     */
    public Http basicAuth(String user, String password) {
        if (password == null || password.isEmpty()) {
            return new Http(timeout, null);
        }
        String token = java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Http(timeout, "Basic " + token);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            c = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
            client = c;
        }
        return c;
    }

    /** GETs {@code url} and returns its JSON as Map/List/String/Number/Boolean/null. */
    public Object json(String url) {
        return MAPPER.convertValue(tree(url, null), Object.class);
    }

    /** GETs {@code url} and returns the value at a dotted path ({@code result.points_count}, list indexes as numbers). */
    public Object json(String url, String path) {
        JsonNode n = tree(url, null);
        for (String part : path.split("\\.")) {
            JsonNode next = n.isArray() && part.matches("\\d+") ? n.get(Integer.parseInt(part)) : n.get(part);
            if (next == null) {
                throw new SluiceException(ErrorCode.FAILURE, "The JSON from " + Redactor.redact(url) + " has no '" + path + "' (stopped at '"
                        + part + "'). Check the path against the service's answer: http.json(url).");
            }
            n = next;
        }
        return MAPPER.convertValue(n, Object.class);
    }

    /** POSTs a JSON body (a Map, List or JSON text) and returns the JSON answer. */
    public Object post(String url, Object body) {
        return MAPPER.convertValue(tree(url, body), Object.class);
    }

    private JsonNode tree(String url, Object body) {
        String shown = Redactor.redact(url);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new SluiceException(ErrorCode.USAGE, "Not a URL: " + shown + ". Write it as http://host:port/path.");
        }
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            if (body == null) {
                b.GET();
            } else {
                String text = body instanceof CharSequence cs ? cs.toString() : MAPPER.writeValueAsString(body);
                b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(text));
            }
            HttpResponse<String> r = client().send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new SluiceException(ErrorCode.FAILURE, "HTTP " + r.statusCode() + " from " + shown + ": the service refused "
                        + (authorization == null ? "a request without credentials. Send them with http.basicAuth(user, password)."
                        : "the credentials. Check the user and password."));
            }
            if (r.statusCode() / 100 != 2) {
                throw new SluiceException(ErrorCode.FAILURE, "HTTP " + r.statusCode() + " from " + shown
                        + ". Check the URL and that the service is healthy.");
            }
            try {
                return MAPPER.readTree(r.body());
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.FAILURE, "The answer from " + shown + " is not JSON (" + abbreviate(r.body())
                        + "). Check the URL points at the service's JSON API.");
            }
        } catch (HttpTimeoutException e) {
            throw new SluiceException(ErrorCode.FAILURE, "No answer from " + shown + " within " + timeout.toSeconds()
                    + " s. Check the service is up, or allow longer with http.timeout(SECONDS).", e);
        } catch (ConnectException e) {
            throw new SluiceException(ErrorCode.FAILURE, "Cannot connect to " + shown + ": the service is down or the URL is wrong. "
                    + "Start it, or pass its URL as a parameter (-p).", e);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.FAILURE, "Request to " + shown + " failed: " + e.getMessage() + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, "Request to " + shown + " was cancelled.", e);
        }
    }

    private static String abbreviate(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= 60 ? t : t.substring(0, 59) + "…";
    }

    @Override
    public String toString() {
        return "http probe (timeout " + timeout.toSeconds() + " s" + (authorization == null ? "" : ", with credentials")
                + "): http.json(url), http.json(url, \"a.b\"), http.post(url, body)";
    }
}
