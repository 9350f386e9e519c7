package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, points 3 and 4: an exported playbook means what the session did and keeps every check; the Markdown runbook
 * reads like the console. On a fixture made for this test: a rollback-journal source with NULLs, unicode and blobs,
 * and a WAL target.
 */
class ExportTest {
    @TempDir
    Path dir;

    private static final String SESSION = String.join("\n",
            "src.count(\"tasks\")",
            "var r = copy(src, \"tasks\", archive)",
            "archive.checksum(\"tasks\")",
            "src.query(\"SELECT id, title FROM tasks WHERE id <= 3 ORDER BY id\")",
            "src.exec(\"UPDATE tasks SET title = upper(title) WHERE id <= 21 AND title IS NOT NULL\")",
            "archive.begin()",
            "archive.exec(\"DELETE FROM tasks WHERE id <= 40\")",
            "archive.count(\"tasks\")",
            "archive.rollback()",
            "src.count(\"tasks\", \"title IS NULL\")",
            "archive.count(\"tasks\")",
            "src.begin()",
            "src.exec(\"DELETE FROM tasks\")",
            "");

    /** The workspace as the session found it: 85 tasks in src, an empty archive. */
    private Path fixture(String name) throws Exception {
        Path ws = dir.resolve(name);
        Files.createDirectories(ws);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("src.db")); Statement st = c.createStatement()) {
            // Rollback journal: the exported step copies from it into a WAL tier and then writes it, which once could not
            // commit (the target's transaction held it ATTACHed); CopyThenCompareTest keeps that case.
            st.execute("PRAGMA journal_mode = DELETE");
            st.execute("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, payload BLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tasks VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 85; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, i % 9 == 0 ? null : "tâche " + i + " 東京");
                    ps.setBytes(3, new byte[] {(byte) i, 0});
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("archive.db")); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)");
        }
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("src", TierSpec.of("src.db"));
        tiers.put("archive", TierSpec.of("archive.db"));
        Workspace.write(ws, new Workspace.File(tiers, null, null));
        return ws;
    }

    private Path record() throws Exception {
        Path staging = fixture("staging");
        CliRunner r = CliRunner.runWithInput(SESSION, "console", "-w", staging.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        try (Stream<Path> s = Files.list(staging.resolve("sessions"))) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
    }

    private static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theExportedPlaybookLeavesOutWhatWasNotCommittedKeepsEveryCheckAndStopsOnOtherData() throws Exception {
        Path journal = record();
        Path playbook = dir.resolve("exported.groovy");
        CliRunner x = CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", playbook.toString());
        assertEquals(0, x.status(), x.err());
        String g = Files.readString(playbook, StandardCharsets.UTF_8);

        // Rolled back and never committed: left out, and said so.
        assertFalse(g.contains("DELETE FROM tasks"), g);
        assertTrue(g.contains("Left out, as the session did not commit it: 4 input(s)") && g.contains(": rolled back."), g);
        assertTrue(g.contains("never committed (the transaction was still open when the session ended)"), g);
        // Every recorded result is an expectation, each read once.
        assertTrue(g.contains("r.rows() == 85L && r.verified() == true"), g);
        assertTrue(g.contains("{ archive.checksum('tasks').with { it.sha256() == '"), g);
        assertTrue(g.contains(".digest() == '"), "the query's rows: " + g);
        assertTrue(g.contains(" == 19L"), "the UPDATE's count (21 rows, 2 NULL titles): " + g);
        // The recorded fingerprint is the first thing checked: the first step's own requires, so a rerun after it is
        // applied is not refused.
        assertTrue(g.indexOf("step '") < g.indexOf("requires {") && g.indexOf("requires {") < g.indexOf("step '", g.indexOf("step '") + 1), g);
        assertTrue(g.contains("src is the data the session was recorded on"), g);

        Path same = fixture("same");
        CliRunner ok = CliRunner.run("run", playbook.toString(), "-w", same.toString(), "--yes");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertEquals(85, count(same.resolve("archive.db"), "SELECT count(*) FROM tasks"), "the rolled-back DELETE was not exported");
        assertEquals(85, count(same.resolve("src.db"), "SELECT count(*) FROM tasks"), "nor the never-committed one");
        assertEquals(19, count(same.resolve("src.db"), "SELECT count(*) FROM tasks WHERE title = upper(title) AND title IS NOT NULL AND id <= 21"));
        CliRunner again = CliRunner.run("run", playbook.toString(), "-w", same.toString(), "--yes");
        assertEquals(0, again.status(), "a rerun once applied is not refused by the fingerprint: " + again.out() + again.err());

        // A row changed where only the data shows it (same counts): the step that reads it fails and commits nothing.
        Path changed = fixture("changed");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + changed.resolve("src.db")); Statement st = c.createStatement()) {
            st.execute("UPDATE tasks SET title = 'autre' WHERE id = 2");
        }
        CliRunner bad = CliRunner.run("run", playbook.toString(), "-w", changed.toString(), "--yes");
        assertNotEquals(0, bad.status(), bad.out());
        assertTrue(bad.out().contains("✗ expect 'archive.copy("), bad.out());
        assertEquals(0, count(changed.resolve("archive.db"), "SELECT count(*) FROM sqlite_schema WHERE name = 'tasks'"), "nothing of the step committed");

        // Other counts: the fingerprint precondition refuses before anything is written.
        Path fewer = fixture("fewer");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + fewer.resolve("src.db")); Statement st = c.createStatement()) {
            st.execute("DELETE FROM tasks WHERE id = 85");
        }
        String before = TestWorkspaces.fileHash(fewer.resolve("archive.db")) + TestWorkspaces.fileHash(fewer.resolve("src.db"));
        CliRunner refused = CliRunner.run("run", playbook.toString(), "-w", fewer.toString(), "--yes");
        assertEquals(18, refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().contains("src is the data the session was recorded on"), refused.err());
        assertEquals(before, TestWorkspaces.fileHash(fewer.resolve("archive.db")) + TestWorkspaces.fileHash(fewer.resolve("src.db")));
    }

    /** Review findings: a session's own {@code v}, a chained call, a typed declaration: the export still compiles and runs. */
    @Test
    void theExportedPlaybookCompilesWhateverTheSessionNamedItsVariables() throws Exception {
        Path staging = fixture("names");
        String session = String.join("\n",
                "var v = src.checksum(\"tasks\")",
                "var c = copy(src, \"tasks\", archive).targetChecksum()",
                "java.util.Map<String, Long> m = src.counts()",
                "archive.count(\"tasks\")", "");
        CliRunner r = CliRunner.runWithInput(session, "console", "-w", staging.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Path journal;
        try (Stream<Path> s = Files.list(staging.resolve("sessions"))) {
            journal = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        Path playbook = dir.resolve("names.groovy");
        assertEquals(0, CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", playbook.toString()).status());
        CliRunner ok = CliRunner.run("run", playbook.toString(), "-w", fixture("names-run").toString(), "--yes");
        assertEquals(0, ok.status(), Files.readString(playbook) + ok.out() + ok.err());
        assertEquals(85, count(dir.resolve("names-run/archive.db"), "SELECT count(*) FROM tasks"));
    }

    @Test
    void exportForceLeavesOutTheLinesTheChainDoubtsAndSaysSo() throws Exception {
        Path journal = record();
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
        int edited = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("UPDATE tasks SET title = upper(title)")) {
                lines.set(i, lines.get(i).replace("id <= 21", "id <= 85"));
                edited = i;
            }
        }
        assertTrue(edited > 0);
        Files.write(journal, lines, StandardCharsets.UTF_8);

        CliRunner refused = CliRunner.run("export", journal.toString(), "--to", "playbook");
        assertEquals(14, refused.status(), refused.out() + refused.err());
        CliRunner forced = CliRunner.run("export", journal.toString(), "--to", "playbook", "--force");
        assertEquals(0, forced.status(), forced.err());
        assertFalse(forced.out().contains("id <= 85") || forced.out().contains("id <= 21"), "neither the edited line nor what follows: " + forced.out());
        assertTrue(forced.out().contains("// Left out: every line of the journal from line "), forced.out());
        assertTrue(forced.err().startsWith("warning: ") && forced.err().contains("every line from there on is left out (--force)"), forced.err());
    }

    @Test
    void theMarkdownRunbookReadsLikeTheConsole() throws Exception {
        Path journal = record();
        CliRunner md = CliRunner.run("export", journal.toString(), "--to", "markdown");
        assertEquals(0, md.status(), md.err());
        String text = md.out();
        assertTrue(text.contains("sluice console -w WORKSPACE"), "how to open the console: " + text);
        assertFalse(text.contains(dir.toString()), "no absolute path of the recording machine: " + text);
        assertTrue(text.contains("a workspace named `staging`"), text);
        assertTrue(text.contains("**85 rows copied src.tasks → archive.tasks, verified (count and checksum match, sha256:"), text);
        assertFalse(text.contains("{\"source\""), "no raw JSON: " + text);
        assertTrue(text.contains("3 row(s): "), "the query's rows: " + text);
        assertTrue(text.contains("The console shows:"), text);
        // Items from 10 on: their code blocks line up under the text, four spaces in.
        assertTrue(text.contains("10. Evaluate (java):\n\n    ```java\n    src.count(\"tasks\", \"title IS NULL\")\n    ```"), text);
        assertTrue(text.contains("9. Evaluate (java):\n\n   ```java\n   archive.rollback()\n   ```"), text);
    }
}
