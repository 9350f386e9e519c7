package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.CliRunner;
import dev.sluice.testing.TestWorkspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A workspace made for replay tests, not from the demo: {@code ledger} (WAL) holds 1,017 entries with unicode text,
 * reals, blobs and NULLs; {@code queue} (rollback journal) holds 85 jobs in a table without a primary key, 21 of them
 * stuck; {@code archive} is empty. Plus the helpers to record a console session on it and to edit journals by hand.
 */
final class ReplayFixture {
    private ReplayFixture() {
    }

    static Path create(Path ws) {
        try {
            Files.createDirectories(ws.resolve("data"));
            Files.writeString(ws.resolve("sluice.json"), """
                    { "tiers": {
                        "ledger": { "url": "jdbc:sqlite:data/ledger.db", "pragmas": { "journal_mode": "WAL" } },
                        "queue": "data/queue.db",
                        "archive": "data/archive.db" },
                      "journal": "sessions" }
                    """);
            sql(ws, "ledger", "PRAGMA journal_mode = WAL",
                    "CREATE TABLE entries (id INTEGER PRIMARY KEY, memo TEXT, amount REAL, payload BLOB, note TEXT)",
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1017) "
                            + "INSERT INTO entries SELECT i, 'Zürich ☃ ' || i || ' 日本', i * 0.25, CASE WHEN i % 5 = 0 THEN NULL "
                            + "ELSE x'00ff' || randomblob(6) END, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END FROM n");
            sql(ws, "queue", "PRAGMA journal_mode = DELETE",
                    "CREATE TABLE jobs (job_id TEXT, state TEXT, tries INTEGER, blob BLOB)",
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 85) "
                            + "INSERT INTO jobs SELECT 'j' || i, CASE WHEN i <= 21 THEN 'stuck' ELSE 'done' END, i % 4, "
                            + "CASE WHEN i % 2 = 0 THEN zeroblob(3) END FROM n");
            sql(ws, "archive", "CREATE TABLE kept (k TEXT)");
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sql(Path ws, String tier, String... statements) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Object value(Path ws, String tier, String query) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            Object v = rs.next() ? rs.getObject(1) : null;
            return v instanceof Integer i ? Long.valueOf(i) : v;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records {@code session} as a console script on {@code ws} and returns its journal. */
    static Path record(Path ws, Path scratch, String session) {
        try {
            Path script = Files.createTempFile(scratch, "session", ".jsh");
            Files.writeString(script, session);
            CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-f", script.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            return TestWorkspaces.onlyJournal(ws);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path journal) {
        try {
            return new ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, List<String> lines, String newline) {
        try {
            Files.writeString(file, String.join(newline, lines) + newline, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1-based number of the first line that holds every one of {@code needles}. */
    static int lineOf(List<String> lines, String... needles) {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (java.util.Arrays.stream(needles).allMatch(line::contains)) {
                return i + 1;
            }
        }
        throw new AssertionError(String.join(", ", needles) + " not in the journal:\n" + String.join("\n", lines));
    }

    /**
     * The journal as the Sluice before value observations wrote it: format 1, no {@code query} or {@code value}
     * observations, chained and sealed again as that Sluice would have (so it is sound, not forced).
     */
    static Path asFormat1(Path journal, Path out) {
        try {
            List<String> result = new ArrayList<>();
            String prev = null;
            long seq = 0;
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                ObjectNode o = (ObjectNode) Journal.MAPPER.readTree(line);
                String call = o.path("call").asText();
                if (o.path("type").asText().equals("observation") && (call.equals("query") || call.equals("value"))) {
                    continue;
                }
                ObjectNode n = Journal.MAPPER.createObjectNode();
                o.fields().forEachRemaining(f -> {
                    switch (f.getKey()) {
                        case "seq" -> n.put("seq", 0L);
                        case "prev" -> { }
                        case "seal" -> {
                            if (!o.path("type").asText().equals("end")) {
                                n.set("seal", f.getValue()); // the header's promise that the end event is sealed
                            }
                        }
                        case "format" -> n.put("format", 1);
                        default -> n.set(f.getKey(), f.getValue());
                    }
                });
                n.put("seq", seq++);
                if (prev != null) {
                    // prev follows type in a written line; its place does not matter to the chain, only its value
                    n.put("prev", prev);
                }
                byte[] bytes = Journal.MAPPER.writeValueAsBytes(n);
                if (n.path("type").asText().equals("end")) {
                    n.put(Journal.SEAL, Journal.sha256(bytes));
                    bytes = Journal.MAPPER.writeValueAsBytes(n);
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                result.add(text);
                prev = Journal.sha256(bytes);
            }
            return write(out, result, "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
