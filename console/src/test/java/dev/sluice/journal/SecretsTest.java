package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.workspace.Redactor;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, point 5: a credential typed into a DSL call reaches no journal, export or report; journals are the owner's only. */
class SecretsTest {
    @TempDir
    Path dir;

    private Path workspace() throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("graph.db")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE nodes (id INTEGER PRIMARY KEY, label TEXT)");
            st.execute("INSERT INTO nodes VALUES (1, 'ノード'), (2, NULL)");
        }
        Workspace.write(ws, new Workspace.File(Map.of("graph", TierSpec.of("graph.db")), null, null));
        return ws;
    }

    @Test
    void basicAuthArgumentsAreMaskedInTheJournalItsExportsAndItsReport() throws Exception {
        Path ws = workspace();
        String session = """
                var neo = http.basicAuth("neo4j-admin", "s3cret-pw(1)")
                var other = http.basicAuth("ops", "it\\"s-me")
                graph.count("nodes")
                """;
        CliRunner r = CliRunner.runWithInput(session, "console", "-w", ws.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("2"), r.out());
        Path journal;
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            journal = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        String text = Files.readString(journal, StandardCharsets.UTF_8);
        for (String secret : List.of("neo4j-admin", "s3cret-pw", "s-me", "\\\"ops")) {
            assertFalse(text.contains(secret), secret + " in " + text);
        }
        assertTrue(text.contains("http.basicAuth(\\\"****\\\", \\\"****\\\")"), text);
        assertTrue(text.contains("graph.count(\\\"nodes\\\")"), "other inputs are kept as typed: " + text);

        Path playbook = dir.resolve("out.groovy");
        Path runbook = dir.resolve("out.md");
        Path report = dir.resolve("report.html");
        assertEquals(0, CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", playbook.toString()).status());
        assertEquals(0, CliRunner.run("export", journal.toString(), "--to", "markdown", "-o", runbook.toString()).status());
        CliRunner replay = CliRunner.run("replay", "-w", ws.toString(), journal.toString(), "--report", report.toString());
        for (Path out : List.of(playbook, runbook, report)) {
            String body = Files.readString(out, StandardCharsets.UTF_8);
            assertFalse(body.contains("s3cret-pw") || body.contains("neo4j-admin"), out + ": " + body);
        }
        assertTrue(replay.out().contains("redacted"), "a masked input is not replayed with the mask: " + replay.out());

        // The journal and its folder, and the report, are the owner's only, whatever the umask.
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("sessions"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(report)));
    }

    @Test
    void theMaskFollowsQuotesAndParenthesesAndLeavesVariablesAndOtherCallsAlone() {
        assertEquals("http.basicAuth('****', \"****\").json(u, 'a.b')",
                Redactor.redact("http.basicAuth('neo4j', \"pw)x\").json(u, 'a.b')"));
        assertEquals("http.basicAuth(user, System.getenv('****'))", Redactor.redact("http.basicAuth(user, System.getenv('NEO_PW'))"));
        assertEquals("tier1.count(\"basicAuth\")", Redactor.redact("tier1.count(\"basicAuth\")"));
        assertEquals("http.basicAuth '****', '****'\ntier1.count('t')", Redactor.redact("http.basicAuth 'neo4j', 's3cret'\ntier1.count('t')"));
        assertEquals("x.basicAuth('****", Redactor.redact("x.basicAuth('unterminated"));
    }
}
