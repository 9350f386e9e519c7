package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.testing.TestWorkspaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 003 (Meridian consolidation) end to end: workspace.db with its ~610 records, task_queue.db (tasks 85,
 * task_queue_metadata 5), proposals.db (1) and optionally orchestration_decisions.db (7) in the document's layout and
 * schema, the playbook run through {@code sluice run}.
 */
class MeridianConsolidationTest {
    static final Path PLAYBOOK = Path.of("../playbooks/meridian-consolidation.groovy");
    static final String STAMP = "20251122_120000";
    static final String BACKUP = "db-consolidation-" + STAMP;
    static final int DECISIONS = 7;
    static final List<String> INDEXES = List.of("idx_proposals_status", "idx_proposals_created_at", "idx_tasks_status", "idx_tasks_priority",
            "idx_tasks_tags", "idx_tasks_updated_at", "idx_tasks_capability_required", "idx_task_queue_metadata_updated_at",
            "idx_decisions_timestamp", "idx_decisions_task_id", "idx_decisions_agent_id", "idx_decisions_task_type",
            "idx_decisions_success", "idx_decisions_dry_run");

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- fixtures shaped as the document

    static final String TASKS_DDL = """
            CREATE TABLE tasks (
                id VARCHAR(255) NOT NULL PRIMARY KEY,
                title VARCHAR(500) NOT NULL,
                description TEXT,
                status VARCHAR(100) NOT NULL,
                priority VARCHAR(50) NOT NULL,
                capability_required VARCHAR(255),
                estimated_tokens INTEGER,
                tags TEXT,
                dependencies TEXT,
                failures TEXT,
                metadata TEXT,
                file VARCHAR(500),
                created_by VARCHAR(255),
                created_at VARCHAR(100),
                updated_at VARCHAR(100),
                version INTEGER NOT NULL DEFAULT 0
            )""";

    /** Writes the Meridian layout into {@code root}: the same bytes of data every time (a replay compares them). */
    static void meridian(Path root, boolean withDecisions) throws IOException, SQLException {
        Path logs = root.resolve("meridian-core/logs");
        Files.createDirectories(logs);
        Files.writeString(root.resolve("sluice.json"), """
                { "tiers": {
                    "workspace": "workspace.db",
                    "task_queue": { "path": "meridian-core/logs/task_queue.db", "optional": true },
                    "proposals": { "path": "meridian-core/logs/proposals.db", "optional": true },
                    "orchestration_decisions": { "path": "meridian-core/logs/orchestration_decisions.db", "optional": true } },
                  "snapshots": "backups", "journal": "sessions" }
                """);
        try (Connection c = open(root.resolve("workspace.db"))) {
            exec(c, """
                    CREATE TABLE workspace_projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
                    CREATE TABLE workspace_tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES workspace_projects(id),
                        title TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER, created_at TEXT NOT NULL);
                    CREATE INDEX idx_workspace_tasks_status ON workspace_tasks(status);
                    CREATE TABLE workspace_notes (id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES workspace_tasks(id), body TEXT, created_at TEXT);
                    """);
            insert(c, "INSERT INTO workspace_projects VALUES (?, ?, ?)", 40, i -> new Object[]{i, "project-" + i, "2025-10-" + (10 + i % 20)});
            insert(c, "INSERT INTO workspace_tasks VALUES (?, ?, ?, ?, ?, ?)", 420, i -> new Object[]{i, 1 + i % 40, "WMS task " + i + " ✓",
                    i % 3 == 0 ? "done" : "open", i % 5 == 0 ? null : i % 4, "2025-11-" + (1 + i % 20) + "T09:00:00"});
            insert(c, "INSERT INTO workspace_notes VALUES (?, ?, ?, ?)", 150, i -> new Object[]{i, 1 + i % 420, "note «" + i + "»", "2025-11-20"});
        }
        try (Connection c = open(logs.resolve("task_queue.db"))) {
            exec(c, TASKS_DDL + ";\n" + """
                    CREATE INDEX idx_tasks_status ON tasks(status);
                    CREATE TABLE task_queue_metadata (key VARCHAR(255) NOT NULL PRIMARY KEY, value TEXT, updated_at VARCHAR(100));
                    """);
            String[] status = {"pending", "in_progress", "completed", "failed", "blocked"};
            String[] priority = {"low", "medium", "high", "critical"};
            insert(c, "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 85, i -> new Object[]{
                    "task-%03d".formatted(i), "Task %d: refactor module".formatted(i), i % 7 == 0 ? null : "Description of task " + i,
                    status[i % 5], priority[i % 4], i % 3 == 0 ? null : "capability-" + i % 6, i % 4 == 0 ? null : 1000 + i * 37,
                    "[\"meridian\", \"t" + i % 9 + "\"]", i % 5 == 0 ? "[\"task-%03d\"]".formatted(i - 1) : "[]", i % 11 == 0 ? "[\"timeout\"]" : null,
                    "{\"attempt\": " + i % 3 + "}", i % 2 == 0 ? "src/meridian_core/mod" + i + ".py" : null, "orchestrator",
                    "2025-11-%02dT10:%02d:00".formatted(1 + i % 21, i % 60), "2025-11-21T12:%02d:00".formatted(i % 60), i % 4});
            insert(c, "INSERT INTO task_queue_metadata VALUES (?, ?, ?)", 5, i -> new Object[]{
                    List.of("schema_version", "last_task_id", "queue_name", "created_at", "last_cleanup").get(i - 1),
                    List.of("3", "task-085", "meridian", "2025-09-01", "2025-11-20").get(i - 1), "2025-11-21T12:00:00"});
        }
        try (Connection c = open(logs.resolve("proposals.db"))) {
            exec(c, """
                    CREATE TABLE proposals (id VARCHAR(255) NOT NULL PRIMARY KEY, hypothesis TEXT NOT NULL, rationale TEXT NOT NULL,
                        pattern_id VARCHAR(255), performance_data TEXT, implementation_result TEXT, metadata TEXT, status VARCHAR(50) NOT NULL,
                        created_at FLOAT NOT NULL, reviewed_at FLOAT, implemented_at FLOAT, review_notes TEXT);
                    """);
            insert(c, "INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 1, i -> new Object[]{"prop-0001",
                    "Routing code tasks to the coder agent cuts failures", "Failures fell from 12% to 4% in the last 30 tasks", "pattern-17",
                    "{\"success_rate\": 0.96}", null, "{}", "pending", 1763800000.125, null, null, null});
        }
        if (withDecisions) {
            try (Connection c = open(logs.resolve("orchestration_decisions.db"))) {
                exec(c, """
                        CREATE TABLE orchestration_decisions (id VARCHAR(255) NOT NULL PRIMARY KEY, timestamp FLOAT NOT NULL,
                            task_id VARCHAR(255) NOT NULL, agent_id VARCHAR(255), task_type VARCHAR(255), success INTEGER, failure_reason TEXT,
                            tokens_used INTEGER, duration_seconds FLOAT, dry_run INTEGER DEFAULT 0, decision_process TEXT, metadata TEXT);
                        """);
                insert(c, "INSERT INTO orchestration_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", DECISIONS, i -> new Object[]{
                        "dec-" + i, 1763700000.5 + i * 60, "task-%03d".formatted(i), "agent-" + i % 3, "code", i % 4 == 0 ? 0 : 1,
                        i % 4 == 0 ? "timeout" : null, 1500 + i, 12.25 * i, i % 2, "{\"steps\": [\"route\"]}", null});
            }
        }
    }

    interface RowMaker {
        Object[] row(int i);
    }

    private static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static void exec(Connection c, String script) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : script.split(";\\s*\n")) {
                if (!s.isBlank()) {
                    st.execute(s);
                }
            }
        }
    }

    private static void insert(Connection c, String sql, int n, RowMaker rows) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= n; i++) {
                Object[] r = rows.row(i);
                for (int k = 0; k < r.length; k++) {
                    ps.setObject(k + 1, r[k]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    // ---------------------------------------------------------------- helpers

    private CliRunner run(Path root, String... more) {
        List<String> a = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", root.toString(), "-p", "timestamp=" + STAMP));
        a.addAll(List.of(more));
        return CliRunner.run(a.toArray(String[]::new));
    }

    private Path logs(String file) {
        return dir.resolve("meridian-core/logs").resolve(file);
    }

    private static Object value(Path db, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    private static long count(Path db, String table) {
        return ((Number) value(db, "SELECT count(*) FROM \"" + table + "\"")).longValue();
    }

    /** Every user table of a file with its Sluice checksum (sluice_* bookkeeping left out). */
    private static Map<String, String> checksums(Path db) {
        Map<String, String> out = new TreeMap<>();
        try (var t = dev.sluice.tier.Tier.open(new dev.sluice.workspace.TierConfig("x", "jdbc:sqlite:" + db, null, null, Map.of(), true,
                false, false, db))) {
            for (String table : t.tables()) {
                if (!table.startsWith("sluice_")) {
                    out.put(table, t.checksum(table).toString());
                }
            }
        }
        return out;
    }

    private static String checksum(Path db, String table) {
        return checksums(db).get(table);
    }

    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !root.relativize(p).startsWith("sessions")).toList()) {
                out.put(root.relativize(p).toString(), TestWorkspaces.fileHash(p));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the document's success criteria

    @Test
    void yesRunConsolidatesEverythingAndMeetsTheDocumentsSuccessCriteria() throws Exception {
        meridian(dir, true);
        Map<String, String> wsBefore = checksums(dir.resolve("workspace.db"));
        Map<String, String> tqBefore = checksums(logs("task_queue.db"));
        Map<String, String> propBefore = checksums(logs("proposals.db"));
        Map<String, String> decBefore = checksums(logs("orchestration_decisions.db"));

        CliRunner r = run(dir, "--yes");
        System.out.println(r.out());
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());

        // All original databases backed up: verified copies and SQL dumps, in one folder.
        Path backup = dir.resolve("backups").resolve(BACKUP);
        for (String tier : List.of("workspace", "task_queue", "proposals", "orchestration_decisions")) {
            assertTrue(Files.isRegularFile(backup.resolve(tier + ".db")), tier);
            assertTrue(Files.readString(backup.resolve(tier + ".db.sql"), StandardCharsets.UTF_8).contains("COMMIT;"), tier);
        }
        assertEquals(85, Files.readString(backup.resolve("task_queue.db.sql")).lines().filter(l -> l.startsWith("INSERT INTO \"tasks\"")).count());
        // All tables created in workspace.db, with every index of the document.
        Path ws = dir.resolve("workspace.db");
        for (String ix : INDEXES) {
            assertEquals(1L, ((Number) value(ws, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" + ix + "'")).longValue(), ix);
        }
        // All record counts match 100%, and the rows are the same (checksums).
        assertEquals(85, count(ws, "tasks"));
        assertEquals(5, count(ws, "task_queue_metadata"));
        assertEquals(1, count(ws, "proposals"));
        assertEquals(DECISIONS, count(ws, "orchestration_decisions"));
        Map<String, String> after = checksums(ws);
        assertEquals(tqBefore.get("tasks"), after.get("tasks"));
        assertEquals(tqBefore.get("task_queue_metadata"), after.get("task_queue_metadata"));
        assertEquals(propBefore.get("proposals"), after.get("proposals"));
        assertEquals(decBefore.get("orchestration_decisions"), after.get("orchestration_decisions"));
        // No data loss in workspace.db's own tables.
        for (String t : List.of("workspace_projects", "workspace_tasks", "workspace_notes")) {
            assertEquals(wsBefore.get(t), after.get(t), t);
        }
        assertEquals("ok", value(ws, "PRAGMA integrity_check"));
        // Old databases archived with the timestamp, their rows intact.
        for (String f : List.of("task_queue.db", "proposals.db", "orchestration_decisions.db")) {
            assertFalse(Files.exists(logs(f)), f);
            assertTrue(Files.isRegularFile(logs(f + ".archived_" + STAMP)), f);
        }
        assertEquals(tqBefore, checksums(logs("task_queue.db.archived_" + STAMP)));
        assertEquals(7L, ((Number) value(ws, "SELECT count(*) FROM sluice_history WHERE playbook = 'meridian-consolidation'")).longValue());
    }

    @Test
    void withoutOrchestrationDecisionsTheStepIsSkippedCleanly() throws Exception {
        meridian(dir, false);
        CliRunner r = run(dir, "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("orchestration_decisions.db not found - skipping migration"), r.out());
        Path ws = dir.resolve("workspace.db");
        assertEquals(85, count(ws, "tasks"));
        assertEquals(1, count(ws, "proposals"));
        assertEquals(0, count(ws, "orchestration_decisions"));
        assertFalse(Files.exists(dir.resolve("backups").resolve(BACKUP).resolve("orchestration_decisions.db")));
        assertTrue(Files.isRegularFile(logs("task_queue.db.archived_" + STAMP)));
        assertFalse(Files.exists(logs("orchestration_decisions.db.archived_" + STAMP)));
    }

    @Test
    void secondRunChangesNothingAndSaysSo() throws Exception {
        meridian(dir, true);
        assertEquals(0, run(dir, "--yes").status());
        Path ws = dir.resolve("workspace.db");
        Map<String, String> before = checksums(ws);
        Object history = value(ws, "SELECT count(*) FROM sluice_history");
        Map<String, String> files = hashes(dir);
        CliRunner again = run(dir, "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(before, checksums(ws));
        assertEquals(history, value(ws, "SELECT count(*) FROM sluice_history"));
        Map<String, String> now = hashes(dir);
        assertEquals(files.keySet(), now.keySet(), "no file added or removed");
        files.remove("workspace.db"); // its run lock row comes and goes
        now.remove("workspace.db");
        assertEquals(files, now, "backups and archives untouched");
    }

    @Test
    void dryRunLeavesEveryFileByteIdentical() throws Exception {
        meridian(dir, true);
        Map<String, String> before = hashes(dir);
        CliRunner r = run(dir, "--dry-run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would archive tier 'task_queue'"), r.out());
        assertTrue(r.out().contains("would dump tier 'workspace'"), r.out());
        assertEquals(before, hashes(dir));
    }

    @Test
    void restoringTheBackupBringsWorkspaceBackToItsStateBeforeTheConsolidation() throws Exception {
        meridian(dir, true);
        Path ws = dir.resolve("workspace.db");
        Map<String, String> before = checksums(ws);
        assertEquals(0, run(dir, "--yes").status());
        assertTrue(checksums(ws).containsKey("tasks"));
        CliRunner r = CliRunner.run("restore", BACKUP, "-w", dir.toString(), "--tier", "workspace");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(before, checksums(ws));
        assertEquals("ok", value(ws, "PRAGMA integrity_check"));
    }

    @Test
    void aDuplicateKeyInWorkspaceTasksRollsTheCopyStepBack() throws Exception {
        meridian(dir, true);
        Path ws = dir.resolve("workspace.db");
        try (Connection c = open(ws)) {
            exec(c, TASKS_DDL + ";\nINSERT INTO tasks (id, title, status, priority) VALUES ('task-042', 'planted', 'pending', 'low');\n");
        }
        CliRunner r = run(dir, "--yes");
        assertEquals(6, r.status(), "the SQL error's exit status\n" + r.out() + r.err());
        assertTrue(r.out().contains("UNIQUE constraint failed: tasks.id"), r.out());
        assertTrue(r.out().contains("Step 4/7 'migrate task_queue.db': FAILED"), r.out());
        assertEquals(1, count(ws, "tasks"), "the planted row only");
        assertEquals("planted", value(ws, "SELECT title FROM tasks"));
        assertEquals(0, count(ws, "task_queue_metadata"));
        assertEquals(0L, ((Number) value(ws, "SELECT count(*) FROM sluice_history WHERE step = 'migrate task_queue.db'")).longValue());
        assertTrue(Files.isRegularFile(logs("task_queue.db")), "nothing archived");
        assertFalse(Files.exists(logs("task_queue.db.archived_" + STAMP)));
    }

    @Test
    void theRunsJournalReplaysOnAFreshCopyOfTheFixtures() throws Exception {
        meridian(dir, true);
        assertEquals(0, run(dir, "--yes").status());
        Path journal;
        try (Stream<Path> s = Files.list(dir.resolve("sessions"))) {
            journal = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        // A fresh copy is the state before the run (the sources still in place), not the archived result.
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        meridian(fresh, true);
        CliRunner r = CliRunner.run("replay", "-w", fresh.toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(Files.isRegularFile(fresh.resolve("meridian-core/logs/task_queue.db.archived_" + STAMP)));
        assertEquals(85, count(fresh.resolve("workspace.db"), "tasks"));
    }

    @Test
    void stepByStepInTheConsole() throws Exception {
        meridian(dir, true);
        // Step 1 asks for the snapshot and each of the four dumps; step 7 for each of the three archives.
        String input = "/run " + PLAYBOOK.toAbsolutePath() + " -p timestamp=" + STAMP + "\n"
                + "/next\ny\ny\ny\ny\ny\n/commit\n"
                + "/next\n/commit\n/next\n/commit\n/next\n"
                + "workspace.count(\"tasks\")\n"
                + "/commit\n/next\n/commit\n/next\n/commit\n"
                + "/next\ny\ny\ny\n/commit\n/status\n";
        Path script = Files.writeString(dir.resolve("steps.jsh"), input);
        CliRunner r = CliRunner.run("console", "-w", dir.toString(), "-f", script.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("85"), r.out());
        assertEquals(85, count(dir.resolve("workspace.db"), "tasks"));
        assertTrue(Files.isRegularFile(logs("proposals.db.archived_" + STAMP)));
        assertEquals(7L, ((Number) value(dir.resolve("workspace.db"), "SELECT count(*) FROM sluice_history")).longValue());
    }

    // ---------------------------------------------------------------- issue 12: foreign data, rollback then retry

    /** The tuned fixture above, or one written from the document alone (other sizes, WAL sources, blobs, CJK). */
    enum Data { DEMO, FOREIGN }

    /** Writes {@code data} into {@code root}; returns the -p its counts need. */
    private static List<String> fixture(Data data, Path root) throws IOException, SQLException {
        if (data == Data.DEMO) {
            meridian(root, true);
            return List.of();
        }
        dev.sluice.testing.fixtures.MeridianFixtures.create(root, true);
        return List.of("-p", "expectedTasks=" + dev.sluice.testing.fixtures.MeridianFixtures.TASKS, "-p", "expectedMetadata=-1",
                "-p", "expectedProposals=-1");
    }

    private static String[] args(List<String> p, String... more) {
        List<String> all = new ArrayList<>(p);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void yesRunCompletesAndASecondRunChangesNothing(Data data) throws Exception {
        List<String> p = fixture(data, dir);
        Map<String, String> tq = checksums(logs("task_queue.db"));
        CliRunner r = run(dir, args(p, "--yes"));
        if (data != Data.DEMO) {
            System.out.println("[MeridianConsolidation " + data + " --yes] " + r.out().lines().filter(l -> l.contains(" committed, ")).findFirst().orElse("(no summary)"));
        }
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("will do: back up every database as snapshot '" + BACKUP + "'"), r.out());
        Map<String, String> after = checksums(dir.resolve("workspace.db"));
        assertEquals(tq.get("tasks"), after.get("tasks"));

        CliRunner again = run(dir, args(p, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(after, checksums(dir.resolve("workspace.db")));
    }

    /** The document's rollback: archived sources moved back, every database restored from the backup, then a retry. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void rollbackRestoresEveryDatabaseAndARetryConsolidatesAgain(Data data) throws Exception {
        List<String> p = fixture(data, dir);
        Map<String, Map<String, String>> before = new TreeMap<>();
        for (String f : List.of("task_queue.db", "proposals.db", "orchestration_decisions.db")) {
            before.put(f, checksums(logs(f)));
        }
        before.put("workspace.db", checksums(dir.resolve("workspace.db")));
        assertEquals(0, run(dir, args(p, "--yes")).status());
        assertFalse(Files.exists(logs("task_queue.db")));

        for (String f : List.of("task_queue.db", "proposals.db", "orchestration_decisions.db")) {
            Files.move(logs(f + ".archived_" + STAMP), logs(f));
        }
        CliRunner restore = CliRunner.run("restore", BACKUP, "-w", dir.toString());
        assertEquals(0, restore.status(), restore.out() + restore.err());
        for (String f : List.of("task_queue.db", "proposals.db", "orchestration_decisions.db")) {
            assertEquals(before.get(f), checksums(logs(f)), f);
        }
        assertEquals(before.get("workspace.db"), checksums(dir.resolve("workspace.db")));

        CliRunner sameStamp = run(dir, args(p, "--yes"));
        assertEquals(11, sameStamp.status(), sameStamp.out() + sameStamp.err());
        assertTrue(sameStamp.out().contains("backup name '" + BACKUP + "' is free"), sameStamp.out());
        assertEquals(before.get("workspace.db"), checksums(dir.resolve("workspace.db")), "a refused retry writes nothing");

        List<String> retry = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", dir.toString(), "-p", "timestamp=20251123_080000"));
        retry.addAll(p);
        retry.add("--yes");
        CliRunner r = CliRunner.run(retry.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(before.get("task_queue.db").get("tasks"), checksums(dir.resolve("workspace.db")).get("tasks"));
        assertTrue(Files.exists(logs("task_queue.db.archived_20251123_080000")));
    }
}
