package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.cli.CliRunner;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002 (HybridFlow v1_baseline) end to end: a real metadata.db with 220 chapters (bailey 92, sabiston 74, schwartz
 * 54), Qdrant and Neo4j served by a stub on 127.0.0.1, the playbook run through {@code sluice run}.
 */
class HybridFlowBaselineTest {
    static final Path PLAYBOOK = Path.of("../playbooks/hybridflow-v1-baseline.groovy");
    static final String VERSION = "v1_baseline_20251225_200000";
    static final Map<String, Integer> CHAPTERS = Map.of("bailey", 92, "sabiston", 74, "schwartz", 54);

    @TempDir
    Path dir;

    @TempDir
    Path prod;
    Workspace ws;
    HttpServer server;
    String base;
    final AtomicLong qdrantPoints = new AtomicLong(36_216);
    final AtomicLong neo4jParagraphs = new AtomicLong(36_216);
    final java.util.concurrent.atomic.AtomicReference<String> neo4jError = new java.util.concurrent.atomic.AtomicReference<>();

    @BeforeEach
    void fixture() throws IOException {
        Workspace.write(dir, new Workspace.File(Map.of("metadata", TierSpec.of("data/metadata.db")), "backups", "sessions"));
        ws = Workspace.load(dir);
        try (Tier t = Tier.open(ws.tier("metadata"), true)) {
            t.script("""
                    CREATE TABLE chapter_metadata (
                        id             INTEGER PRIMARY KEY,
                        chapter_id     TEXT NOT NULL UNIQUE,
                        textbook_id    TEXT NOT NULL,
                        chapter_number INTEGER NOT NULL,
                        title          TEXT NOT NULL,
                        page_start     INTEGER,
                        page_end       INTEGER,
                        chunk_count    INTEGER NOT NULL DEFAULT 0,
                        source_pdf     TEXT,
                        ingested_at    TEXT NOT NULL,
                        UNIQUE (textbook_id, chapter_number)
                    );
                    CREATE INDEX idx_chapter_metadata_textbook ON chapter_metadata (textbook_id);
                    """);
            t.begin();
            for (var e : new java.util.TreeMap<>(CHAPTERS).entrySet()) {
                for (int n = 1; n <= e.getValue(); n++) {
                    t.exec("INSERT INTO chapter_metadata (chapter_id, textbook_id, chapter_number, title, page_start, page_end, chunk_count,"
                                    + " source_pdf, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2025-12-20 10:00:00')",
                            e.getKey() + ":ch" + n, e.getKey(), n, "Chapter " + n + " of " + e.getKey(), n * 20, n * 20 + 19, 150 + n % 30,
                            "pdfs/" + e.getKey() + ".pdf");
                }
            }
            t.commit();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/collections/textbook_chunks", ex -> answer(ex, """
                {"result":{"status":"green","optimizer_status":"ok","points_count":%d,"segments_count":4},"status":"ok","time":0.0001}
                """.formatted(qdrantPoints.get())));
        server.createContext("/collections/textbook_chunks/points/scroll", ex -> answer(ex, """
                {"result":{"points":[{"id":1,"payload":{"chapter_id":"bailey:ch60","text":"The lungs…"}}],"next_page_offset":2},"status":"ok"}
                """));
        server.createContext("/db/neo4j/tx/commit", ex -> answer(ex, neo4jError.get() != null ? """
                {"results":[],"errors":[{"code":"%s","message":"The client is unauthorized due to authentication failure."}]}
                """.formatted(neo4jError.get()) : """
                {"results":[{"columns":["count(p)"],"data":[{"row":[%d],"meta":[null]}]}],"errors":[]}
                """.formatted(neo4jParagraphs.get())));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CliRunner run(String... more) {
        return runIn(dir, VERSION, more);
    }

    /** Runs the playbook on workspace {@code ws} as version {@code version} (the default is the current time). */
    private CliRunner runIn(Path ws, String version, String... more) {
        List<String> a = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", ws.toString(),
                "-p", "qdrantUrl=" + base, "-p", "neo4jUrl=" + base, "-p", "versionId=" + version));
        a.addAll(List.of(more));
        return CliRunner.run(a.toArray(String[]::new));
    }

    private Path db() {
        return dir.resolve("data/metadata.db");
    }

    private Object value(String sql, Object... args) {
        try (Tier t = Tier.open(ws.tier("metadata"))) {
            return t.query(sql, args).value();
        }
    }

    private boolean hasTable(String table) {
        try (Tier t = Tier.open(ws.tier("metadata"))) {
            return t.hasTable(table);
        }
    }

    /** Everything but the lock table: user tables' checksums and the history rows. */
    private String state() {
        try (Tier t = Tier.open(ws.tier("metadata"))) {
            StringBuilder sb = new StringBuilder();
            for (String table : t.tables()) {
                if (!table.equals("sluice_lock")) {
                    sb.append(table).append(' ').append(t.checksum(table).sha256()).append('\n');
                }
            }
            return sb.toString();
        }
    }

    private void assertNothingCommitted(CliRunner r) {
        assertFalse(hasTable("version_registry"), r.out());
        assertFalse(hasTable("operation_log"), r.out());
        assertTrue(!hasTable("sluice_history") || ((Number) value("SELECT count(*) FROM sluice_history")).longValue() == 0, "no history row");
        assertFalse(Files.exists(dir.resolve("backups").resolve(VERSION)), "no snapshot");
        assertEquals(220L, ((Number) value("SELECT count(*) FROM chapter_metadata")).longValue());
    }

    @Test
    void yesRunRegistersTheBaselineAndMeetsTheDocumentsCriteria() {
        CliRunner r = run("--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());

        // Criterion 1: the registry row, as in the document's expected result.
        assertEquals("1|" + VERSION + "|committed|backups/" + VERSION + "/metadata.db|220|36216|1", value("""
                SELECT id || '|' || version_id || '|' || status || '|' || metadata_snapshot_path || '|' || chapter_count || '|'
                       || paragraph_count || '|' || validation_passed FROM version_registry WHERE version_id LIKE 'v1_baseline%'"""));
        assertTrue(((String) value("SELECT created_at FROM version_registry")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        // The snapshot exists where the row says, and holds the 220 chapters.
        Path snapshot = dir.resolve((String) value("SELECT metadata_snapshot_path FROM version_registry"));
        assertTrue(Files.isRegularFile(snapshot), snapshot.toString());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + snapshot + "?mode=ro");
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM chapter_metadata")) {
            assertEquals(220, rs.getInt(1));
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        // Criterion 2: operation_log exists and is empty (the criterion 8 test entry was removed).
        assertTrue(hasTable("operation_log"));
        assertEquals(0L, ((Number) value("SELECT count(*) FROM operation_log")).longValue());
        // Criterion 3: all 220 chapters, by textbook.
        assertEquals("bailey|92,sabiston|74,schwartz|54", value(
                "SELECT group_concat(t || '|' || n) FROM (SELECT textbook_id AS t, count(*) AS n FROM chapter_metadata GROUP BY 1 ORDER BY 1)"));
        // Every step is in the history.
        assertEquals(4L, ((Number) value("SELECT count(*) FROM sluice_history WHERE playbook = 'hybridflow-v1-baseline'")).longValue());
    }

    @Test
    void theRunsJournalReplaysCleanlyOnAFreshCopyOfTheFixture() {
        TestWorkspaces.copyTree(dir, prod);
        CliRunner r = run("--yes");
        assertEquals(0, r.status(), r.out() + r.err());

        CliRunner replay = CliRunner.run("replay", "-w", prod.toString(), TestWorkspaces.onlyJournal(dir).toString());

        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("Replay matched: "), replay.out());
        try (Tier t = Tier.open(Workspace.load(prod).tier("metadata"))) {
            assertEquals("committed", t.query("SELECT status FROM version_registry WHERE version_id LIKE 'v1_baseline%'").value());
        }
    }

    @Test
    void secondRunChangesNothing() {
        assertEquals(0, run("--yes").status());
        String before = state();
        CliRunner again = run("--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(before, state());
        assertEquals(1L, ((Number) value("SELECT count(*) FROM version_registry")).longValue());
    }

    @Test
    void dryRunLeavesFilesByteIdentical() {
        String before = TestWorkspaces.fileHash(db());
        CliRunner r = run("--dry-run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would snapshot '" + VERSION + "'"), r.out());
        assertEquals(before, TestWorkspaces.fileHash(db()));
        assertFalse(Files.exists(dir.resolve("backups").resolve(VERSION)));
    }

    @Test
    void aDifferentQdrantCountFailsTheCheckAndCommitsNothing() {
        qdrantPoints.set(36_000);
        CliRunner r = run("--yes");
        assertEquals(11, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("✗ expect 'Qdrant: 36216 points in 'textbook_chunks', status green'"), r.out());
        assertNothingCommitted(r);
    }

    @Test
    void countsThatDriftAfterRegistrationLeaveTheVersionUncommitted() {
        CliRunner registered = run("--yes", "--stop-after", "register v1_baseline");
        assertEquals(0, registered.status(), registered.out() + registered.err());
        assertEquals("pending", value("SELECT status FROM version_registry"));
        neo4jParagraphs.set(36_100);
        CliRunner r = run("--yes");
        assertEquals(11, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("✗ expect '6. counts stable across systems"), r.out());
        assertEquals("pending|0", value("SELECT status || '|' || validation_passed FROM version_registry"), "trigger 6: not committed");
        assertEquals(0L, ((Number) value("SELECT count(*) FROM operation_log")).longValue());
        neo4jParagraphs.set(36_216);
        CliRunner fixed = run("--yes");
        assertEquals(0, fixed.status(), fixed.out() + fixed.err());
        assertEquals("committed|1", value("SELECT status || '|' || validation_passed FROM version_registry"));
    }

    @Test
    void serviceDownIsOneClearLineAndChangesNothing() {
        server.stop(0);
        CliRunner r = run("--yes");
        // The playbook's requires block: both services named, one line each, before anything is written (exit 18).
        assertEquals(18, r.status(), r.out() + r.err());
        String all = r.out() + r.err();
        assertEquals(1, all.lines().filter(l -> l.contains("service Qdrant at " + base) && l.contains("found connection refused")).count(), all);
        assertEquals(1, all.lines().filter(l -> l.contains("service Neo4j at " + base) && l.contains("found connection refused")).count(), all);
        assertNothingCommitted(r);
    }

    @Test
    void aNeo4jErrorAnswerIsOneLineNamingItsCode() {
        neo4jError.set("Neo.ClientError.Security.Unauthorized");
        CliRunner r = run("--yes");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Neo4j at " + base + "/db/neo4j/tx/commit refused the count: Neo.ClientError.Security.Unauthorized"), r.out());
        assertNothingCommitted(r);
    }

    @Test
    void stepModeCommitsStepByStepAndAsksBeforeTheSnapshot() {
        List<String> a = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", dir.toString(),
                "-p", "qdrantUrl=" + base, "-p", "neo4jUrl=" + base, "-p", "versionId=" + VERSION));
        CliRunner r = CliRunner.runWithInput("y\nc\nc\nc\nc\n", a.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("[y/N]"), r.out());
        assertTrue(r.out().contains("4 committed"), r.out());
        assertEquals("committed|1", value("SELECT status || '|' || validation_passed FROM version_registry"));
    }

    // ---- issue 12: foreign data, the copy taken before any modification, rollback then retry

    /** The data a test runs on: the tuned fixture above, or one generated from the document alone. */
    enum Data { DEMO, FOREIGN }

    @TempDir
    Path foreignDir;

    /** The workspace for {@code data}, and the -p its counts need (the foreign fixture is not the document's 220/36216). */
    private Path workspaceFor(Data data, List<String> params) {
        if (data == Data.DEMO) {
            return dir;
        }
        var written = dev.sluice.testing.fixtures.HybridFlowFixtures.create(foreignDir, 1, true);
        qdrantPoints.set(1_234);
        neo4jParagraphs.set(1_234);
        params.addAll(List.of("-p", "expectedChapters=" + written.chapters(), "-p", "expectedByTextbook=", "-p", "expectedParagraphs=1234"));
        return foreignDir;
    }

    private static Object valueIn(Path ws, String sql) {
        try (Tier t = Tier.open(Workspace.load(ws).tier("metadata"))) {
            return t.query(sql).value();
        }
    }

    private static String stateOf(Path ws) {
        try (Tier t = Tier.open(Workspace.load(ws).tier("metadata"))) {
            StringBuilder sb = new StringBuilder();
            for (String table : t.tables()) {
                if (!table.equals("sluice_lock")) {
                    sb.append(table).append(' ').append(t.checksum(table).sha256()).append('\n');
                }
            }
            return sb.toString();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void yesRunCompletesAndASecondRunChangesNothing(Data data) {
        List<String> p = new ArrayList<>();
        Path ws = workspaceFor(data, p);
        String chaptersBefore = stateOf(ws);
        CliRunner r = runIn(ws, VERSION, concat(p, "--yes"));
        if (data != Data.DEMO) {
            System.out.println("[HybridFlowBaseline " + data + " --yes] " + r.out().lines().filter(l -> l.contains(" committed, ")).findFirst().orElse("(no summary)"));
        }
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("will do: copy metadata.db to snapshot '" + VERSION + "' before any modification"), r.out());
        assertEquals("committed|1", valueIn(ws, "SELECT status || '|' || validation_passed FROM version_registry"));
        String after = stateOf(ws);
        assertTrue(after.contains(chaptersBefore.lines().filter(l -> l.startsWith("chapter_metadata ")).findFirst().orElseThrow()), "chapters untouched");

        CliRunner again = runIn(ws, "v1_baseline_20260101_000000", concat(p, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(after, stateOf(ws));
    }

    /** Seed 002: "Latest-copy created before any modifications"; restoring it removes every table the run added. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void restoreOfTheCopyTakenFirstThenARetryPasses(Data data) throws Exception {
        List<String> p = new ArrayList<>();
        Path ws = workspaceFor(data, p);
        String before = stateOf(ws);
        assertEquals(0, runIn(ws, VERSION, concat(p, "--yes")).status());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + ws.resolve("backups").resolve(VERSION).resolve("metadata.db") + "?mode=ro");
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM sqlite_schema WHERE name IN ('version_registry', 'operation_log')")) {
            assertEquals(0, rs.getInt(1), "the copy was taken before the schema step");
        }

        CliRunner restore = CliRunner.run("restore", VERSION, "-w", ws.toString());
        assertEquals(0, restore.status(), restore.out() + restore.err());
        assertEquals(before, stateOf(ws).lines().filter(l -> !l.startsWith("sluice_")).map(l -> l + "\n").reduce("", String::concat));

        CliRunner sameName = runIn(ws, VERSION, concat(p, "--yes"));
        assertEquals(18, sameName.status(), sameName.out() + sameName.err());
        assertTrue((sameName.out() + sameName.err()).contains("snapshotFree '" + VERSION + "': found snapshot"), sameName.out() + sameName.err());
        assertFalse(stateOf(ws).contains("version_registry"), "a refused retry writes nothing");

        String retry = "v1_baseline_20251226_090000";
        CliRunner r = runIn(ws, retry, concat(p, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(retry + "|committed", valueIn(ws, "SELECT group_concat(version_id || '|' || status) FROM version_registry"));
    }

    @Test
    void tooLittleDiskSpaceStopsBeforeTheCopyAndChangesNothing() {
        String before = TestWorkspaces.fileHash(db());
        CliRunner r = run("--yes", "-p", "minFreeMb=2000000000");
        assertEquals(18, r.status(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("freeSpace at backups: found "), r.out() + r.err());
        assertFalse(Files.exists(dir.resolve("backups").resolve(VERSION)), "no copy");
        assertFalse(hasTable("version_registry"));
        assertTrue(!hasTable("sluice_history") || ((Number) value("SELECT count(*) FROM sluice_history")).longValue() == 0);
    }

    private static String[] concat(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
