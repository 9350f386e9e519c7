package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.data.SpotCheck;
import dev.sluice.data.SpotChecks;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004 (voice agent v1 → v2) end to end: a real learning_captures.db with v1's captures table, its FTS5 index and
 * sync triggers, 3,000 awkward captures (unicode, quotes, CSV separators, NULLs, a 255-character session id), copied
 * into the local PostgreSQL by {@code sluice run playbooks/voice-agent-v2.groovy}.
 */
class VoiceAgentMigrationTest {
    static final Path PLAYBOOK = Path.of("../playbooks/voice-agent-v2.groovy");
    static final int ROWS = 3_000;

    /** v1's captures: the six columns the document's scripts read, plus the FTS5 index "auto-synced with captures". */
    static final String V1_SCHEMA = """
            CREATE TABLE captures (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id TEXT NOT NULL,
                timestamp DATETIME DEFAULT CURRENT_TIMESTAMP,
                user_text TEXT NOT NULL,
                agent_text TEXT NOT NULL,
                metadata TEXT
            );
            CREATE INDEX idx_captures_session ON captures (session_id);
            CREATE INDEX idx_captures_timestamp ON captures (timestamp);
            CREATE VIRTUAL TABLE captures_fts USING fts5(user_text, agent_text, content='captures', content_rowid='id');
            CREATE TRIGGER captures_ai AFTER INSERT ON captures BEGIN
                INSERT INTO captures_fts (rowid, user_text, agent_text) VALUES (new.id, new.user_text, new.agent_text);
            END;
            CREATE TRIGGER captures_ad AFTER DELETE ON captures BEGIN
                INSERT INTO captures_fts (captures_fts, rowid, user_text, agent_text) VALUES ('delete', old.id, old.user_text, old.agent_text);
            END;
            CREATE TRIGGER captures_au AFTER UPDATE ON captures BEGIN
                INSERT INTO captures_fts (captures_fts, rowid, user_text, agent_text) VALUES ('delete', old.id, old.user_text, old.agent_text);
                INSERT INTO captures_fts (rowid, user_text, agent_text) VALUES (new.id, new.user_text, new.agent_text);
            END;
            """;

    static final List<String> UNCONVERTED = List.of("id", "session_id", "user_text", "agent_text");

    @TempDir
    Path dir;
    Postgres pg;
    Path ws;

    @BeforeEach
    void fixture() throws Exception {
        pg = Postgres.schema();
        ws = workspace("prod", pg);
    }

    @AfterEach
    void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }

    /** A workspace with a fresh learning_captures.db (same bytes every time) and the warehouse at {@code pg}. */
    private Path workspace(String name, Postgres warehouse) throws Exception {
        Path w = dir.resolve(name);
        Files.createDirectories(w.resolve("data"));
        Files.writeString(w.resolve("sluice.json"), """
                {
                  "tiers": {
                    "captures": { "path": "data/learning_captures.db", "readOnly": true },
                    "warehouse": { "url": "%s", "user": "%s" }
                  },
                  "snapshots": "backups",
                  "journal": "sessions"
                }
                """.formatted(warehouse.url(), Postgres.USER));
        writeCaptures(w.resolve("data/learning_captures.db"));
        return w;
    }

    static void writeCaptures(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA journal_mode = DELETE");
            for (String sql : V1_SCHEMA.split(";\\s*\\n(?=\\s*CREATE|\\s*$)")) {
                if (!sql.isBlank()) {
                    st.executeUpdate(sql.strip().endsWith("END") ? sql + ";" : sql);
                }
            }
            c.setAutoCommit(false);
            Random r = new Random(4);
            String[] words = {"python", "decorators", "neural", "networks", "quantum", "learning", "transformers", "voice", "memory"};
            String[] odd = {"héllo wörld ✓ 𝄞", "日本語のテキスト", "שלום עולם", "it's \"quoted\", with commas, and\nnewlines",
                    "back\\slash \\N and \\x00-ish", "emoji 🎙️👩🏽‍💻", "", "   leading spaces", "tab\there", "NULL"};
            String longSession = "s".repeat(255);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO captures (session_id, timestamp, user_text, agent_text, metadata) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    String session = i % 997 == 0 ? longSession : "sess-" + (i / 20) + (i % 50 == 0 ? "-ü" : "");
                    String ts = switch (i % 10) {
                        case 0 -> null;                                                            // NULL stays NULL in v2
                        case 1, 2 -> String.format("2025-11-%02d %02d:%02d:%02d", 1 + i % 28, i % 24, i % 60, (i * 7) % 60);
                        default -> String.format("2025-%02d-%02dT%02d:%02d:%02d.%06d", 1 + i % 12, 1 + i % 28, i % 24, i % 60,
                                (i * 13) % 60, (i * 7919) % 1_000_000);                              // Python's isoformat()
                    };
                    String user = words[r.nextInt(words.length)] + " " + words[r.nextInt(words.length)] + " #" + i
                            + (i % 7 == 0 ? " " + odd[r.nextInt(odd.length)] : "");
                    String agent = i % 11 == 0 ? odd[r.nextInt(odd.length)] : "Sure — let's talk about " + user.replace("#", "no. ");
                    String meta = switch (i % 6) {
                        case 0 -> null;
                        case 1 -> "{}";
                        case 2 -> "{\"source\":\"voice\",\"duration_ms\":" + (i * 37) + ",\"confidence\":0.9" + (i % 10) + "}";
                        case 3 -> "{ \"source\" : \"text\", \"tags\": [\"a\", \"b\\\"c\", \"é\"], \"nested\": {\"z\": 1, \"a\": null} }";
                        case 4 -> "{\"source\":\"voice\",\"big\":12345678901234567890,\"x\":1.50,\"unicode\":\"\\u00e9\\ud83c\\udf99\"}";
                        default -> "{\"dup\":1,\"dup\":2,\"source\":\"voice\"}";
                    };
                    ps.setString(1, session);
                    ps.setString(2, ts);
                    ps.setString(3, user);
                    ps.setString(4, agent);
                    ps.setString(5, meta);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // Gaps in the ids, as deletes leave them (the FTS5 index follows through the trigger).
            st.executeUpdate("DELETE FROM captures WHERE id IN (17, 18, 1500)");
            c.commit();
        }
    }

    private CliRunner run(Path workspace, String... more) {
        List<String> a = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", workspace.toString(), "-p", "backup=learning_captures_backup_v1"));
        a.addAll(List.of(more));
        return CliRunner.run(a.toArray(String[]::new));
    }

    private Path source(Path workspace) {
        return workspace.resolve("data/learning_captures.db");
    }

    private Tier tier(Path workspace, String name) {
        return Tier.open(Workspace.load(workspace).tier(name));
    }

    /** The warehouse's user tables with their checksums (PostgreSQL's own text forms) and row counts. */
    private String warehouseState() {
        try (Tier w = tier(ws, "warehouse")) {
            StringBuilder sb = new StringBuilder();
            for (String t : w.tables()) {
                if (!t.startsWith("sluice_")) {
                    sb.append(t).append(' ').append(w.checksum(t)).append('\n');
                }
            }
            return sb.toString();
        }
    }

    @Test
    void yesRunCopiesCapturesWithCountParityChecksumsAndASpotCheck() throws IOException {
        String before = TestWorkspaces.fileHash(source(ws));
        CliRunner r = run(ws, "--yes");
        System.out.println(r.out());
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("spot check of 10 random rows of captures, captures vs warehouse: all fields match"), r.out());

        assertEquals(before, TestWorkspaces.fileHash(source(ws)), "learning_captures.db byte-identical");
        assertFalse(Files.exists(ws.resolve("data/learning_captures.db-journal")));
        try (Tier c = tier(ws, "captures"); Tier w = tier(ws, "warehouse")) {
            assertEquals(ROWS - 3, c.count("captures"));
            assertEquals(c.count("captures"), w.count("captures"), "count parity");
            assertEquals(c.checksum("captures", UNCONVERTED), w.checksum("captures", UNCONVERTED), "checksums across engines");
            SpotCheck spot = SpotChecks.check(c, w, "captures", 10, new Random(1));
            assertTrue(spot.ok() && spot.keys().size() == 10, spot.toString());
            // Every row's timestamp and metadata, compared in PostgreSQL against the source's text.
            Map<Object, Row> src = new LinkedHashMap<>();
            for (Row row : c.query("SELECT id, timestamp, metadata FROM captures")) {
                src.put(row.get(0), row);
            }
            int checked = 0;
            for (Row row : w.query("SELECT id, to_char(\"timestamp\", 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), metadata::text FROM captures ORDER BY id")) {
                Row s = src.get(row.get(0));
                String ts = (String) s.get(1);
                String expected = ts == null ? null : ts.length() == 19 ? ts.replace(' ', 'T') + ".000000" : ts;
                assertEquals(expected, row.get(1), "timestamp of " + row.get(0));
                if (s.get(2) == null) {
                    assertEquals(null, row.get(2));
                } else {
                    assertEquals(true, w.query("SELECT ?::jsonb = ?::jsonb", s.get(2), row.get(2)).value(), "metadata of " + row.get(0));
                }
                checked++;
            }
            assertEquals(ROWS - 3, checked);
            // Types as the document declares them: no REAL narrowed, NOT NULL kept, JSONB, TIMESTAMP, VARCHAR(255).
            Map<String, String> types = new LinkedHashMap<>();
            for (Row row : w.query("SELECT column_name, format_type(atttypid, atttypmod), is_nullable FROM information_schema.columns "
                    + "JOIN pg_attribute ON attrelid = to_regclass('captures') AND attname = column_name "
                    + "WHERE table_schema = current_schema() AND table_name = 'captures' ORDER BY ordinal_position")) {
                types.put((String) row.get(0), row.get(1) + ("NO".equals(row.get(2)) ? " not null" : ""));
            }
            assertEquals(Map.of("id", "bigint not null", "user_id", "uuid", "session_id", "character varying(255) not null",
                    "timestamp", "timestamp without time zone", "user_text", "text not null", "agent_text", "text not null",
                    "metadata", "jsonb", "embedding_id", "character varying(255)"), types);
            assertEquals("double precision", w.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    + "WHERE attrelid = to_regclass('capture_concepts') AND attname = 'weight'").value(), "FLOAT is float8, not narrowed");
            assertFalse(w.hasTable("captures_v1_import"), "the staging table is gone");
            // v2 can insert: the sequence continues after the highest copied id.
            w.exec("INSERT INTO captures (session_id, user_text, agent_text) VALUES ('v2', 'first v2 capture', 'ok')");
            assertEquals(((Number) c.query("SELECT max(id) FROM captures").value()).longValue() + 1,
                    ((Number) w.query("SELECT max(id) FROM captures").value()).longValue());
        }
        // The document's Step 1 backup exists and is the source, byte for byte.
        Path backup = ws.resolve("backups/learning_captures_backup_v1/captures.db");
        assertTrue(Files.isRegularFile(backup), backup.toString());
        assertEquals(before, TestWorkspaces.fileHash(backup));
    }

    @Test
    void secondRunChangesNothingAndSaysSo() {
        assertEquals(0, run(ws, "--yes").status());
        String state = warehouseState();
        String file = TestWorkspaces.fileHash(source(ws));
        CliRunner again = run(ws, "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(state, warehouseState());
        assertEquals(file, TestWorkspaces.fileHash(source(ws)));
    }

    @Test
    void dryRunLeavesPostgresWithoutTablesAndTheSourceByteIdentical() {
        String before = TestWorkspaces.fileHash(source(ws));
        CliRunner r = run(ws, "--dry-run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would snapshot 'learning_captures_backup_v1'"), r.out());
        assertTrue(r.out().contains("spot check of 10 random rows of captures"), r.out());
        assertEquals(before, TestWorkspaces.fileHash(source(ws)));
        try (Tier w = tier(ws, "warehouse")) {
            assertEquals(List.of(), w.tables(), "nothing left in PostgreSQL, not even history or a lock");
        }
        assertFalse(Files.exists(ws.resolve("backups/learning_captures_backup_v1")));
    }

    @Test
    void recordedRunReplaysCleanlyAgainstAFreshSchema() throws Exception {
        assertEquals(0, run(ws, "--yes").status());
        Path journal;
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            journal = s.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        try (Postgres fresh = Postgres.schema()) {
            Path other = workspace("rehearsal", fresh);
            String before = TestWorkspaces.fileHash(source(other));
            CliRunner r = CliRunner.run("replay", "-w", other.toString(), journal.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            assertEquals(before, TestWorkspaces.fileHash(source(other)));
            try (Tier w = tier(other, "warehouse")) {
                assertEquals(ROWS - 3, w.count("captures"));
            }
        }
    }

    /** The console's front door (as {@code sluice console} without a terminal): /run, /next, /commit, step by step. */
    private static String[] console(Path workspace, String script) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (dev.sluice.dsl.Session session = dev.sluice.dsl.Session.open(workspace);
             java.io.PrintStream o = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
             java.io.PrintStream e = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
             dev.sluice.console.Console c = dev.sluice.console.Console.onStreams(session, new java.io.StringReader(script), o, e,
                     dev.sluice.console.commands.StandardCommands.options())) {
            status = c.run();
        }
        return new String[] {String.valueOf(status), out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8)};
    }

    @Test
    void consoleStepsThroughWithRunNextAndCommit() {
        String before = TestWorkspaces.fileHash(source(ws));
        String[] t = console(ws, """
                /run %s
                /next
                /commit
                /next
                y
                /commit
                /next
                /commit
                /next
                warehouse.count("captures")
                /commit
                /next
                /commit
                /next
                /commit
                /steps
                """.formatted(PLAYBOOK));
        CliRunner r = new CliRunner(Integer.parseInt(t[0]), t[1], t[2]);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("6 step(s), 0 applied"), r.out());
        assertTrue(r.out().contains("[y/N]"), "the backup (a snapshot) asks on its own: " + r.out());
        assertTrue(r.out().contains("2,997\n"), "the open step's connection sees the uncommitted copy: " + r.out());
        assertEquals(6, r.out().split("→ committed", -1).length - 1, r.out());
        assertFalse(r.out().contains("✗"), r.out());
        try (Tier w = tier(ws, "warehouse")) {
            assertEquals(ROWS - 3, w.count("captures"));
            assertEquals(6L, ((Number) w.query("SELECT count(*) FROM sluice_history WHERE playbook = 'voice-agent-v2'").value()).longValue());
        }
        assertEquals(before, TestWorkspaces.fileHash(source(ws)));
    }

    @Test
    void aWritableSourceTierFailsPreflightAndNothingIsCreated() throws IOException {
        Path json = ws.resolve("sluice.json");
        Files.writeString(json, Files.readString(json).replace("\"readOnly\": true", "\"readOnly\": false"));
        CliRunner r = run(ws, "--yes");
        assertEquals(18, r.status(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("check 'learning_captures.db opened read-only (\"Keep SQLite as read-only archive\")': found false"),
                r.out() + r.err());
        try (Tier w = tier(ws, "warehouse")) {
            assertFalse(w.hasTable("captures"));
        }
    }

    @Test
    void anFts5IndexOutOfSyncFailsPreflight() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source(ws)); Statement st = c.createStatement()) {
            st.executeUpdate("DROP TRIGGER captures_ai");
            st.executeUpdate("INSERT INTO captures (session_id, user_text, agent_text) VALUES ('s', 'never indexed', 'x')");
        }
        CliRunner r = run(ws, "--yes");
        assertEquals(11, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("✗ expect 'FTS5 index 'captures_fts' covers exactly"), r.out());
    }

    @Test
    void anEmptyV1DatabaseAsTheDocumentInventoriesMigratesToAnEmptyTable() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source(ws)); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM captures");
        }
        CliRunner r = run(ws, "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        try (Tier w = tier(ws, "warehouse")) {
            assertEquals(0, w.count("captures"));
        }
    }

    // ---------------------------------------------------------------- issue 12: foreign data, rollback then retry

    static final Path ROLLBACK = Path.of("../playbooks/voice-agent-v2-rollback.groovy");

    /** The tuned fixture above (3,000 captures, captures_fts), or one written from the document alone (captures_search). */
    enum Data { DEMO, FOREIGN }

    private Path workspaceFor(Data data) {
        if (data == Data.DEMO) {
            return ws;
        }
        Path w = dir.resolve("foreign");
        // Rollback-journal, not WAL: a WAL learning_captures.db opened read-only crashes the JVM (SIGSEGV in libsqlitejdbc)
        // when Snapshots.backup opens its own connection beside the tier's; an engine bug, reported, not fixed here.
        dev.sluice.testing.fixtures.VoiceAgentFixtures.create(w, 120, false, pg.url(), Postgres.USER);
        return w;
    }

    private String warehouseStateOf(Path w) {
        try (Tier t = tier(w, "warehouse")) {
            StringBuilder sb = new StringBuilder();
            for (String table : t.tables()) {
                if (!table.startsWith("sluice_")) {
                    sb.append(table).append(' ').append(t.checksum(table)).append(' ').append(t.checksum(table).sha256()).append('\n');
                }
            }
            return sb.toString();
        }
    }

    private CliRunner runAs(Path w, String backup, String... more) {
        List<String> a = new ArrayList<>(List.of("run", PLAYBOOK.toString(), "-w", w.toString(), "-p", "backup=" + backup));
        a.addAll(List.of(more));
        return CliRunner.run(a.toArray(String[]::new));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void yesRunCompletesAndASecondRunChangesNothing(Data data) {
        Path w = workspaceFor(data);
        String source = TestWorkspaces.fileHash(source(w));
        CliRunner r = runAs(w, "b1", "--yes");
        if (data != Data.DEMO) {
            System.out.println("[VoiceAgentMigration " + data + " --yes] " + r.out().lines().filter(l -> l.contains(" committed, ")).findFirst().orElse("(no summary)"));
        }
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains(data == Data.DEMO ? "found: FTS5 index captures_fts" : "found: FTS5 index captures_search"), r.out());
        assertTrue(Files.isRegularFile(w.resolve("backups/b1/warehouse.pgdump")), "the warehouse's snapshot taken first");
        assertEquals(source, TestWorkspaces.fileHash(source(w)), "learning_captures.db byte-identical");
        try (Tier c = tier(w, "captures"); Tier wh = tier(w, "warehouse")) {
            assertEquals(c.count("captures"), wh.count("captures"));
            assertEquals(c.checksum("captures", UNCONVERTED), wh.checksum("captures", UNCONVERTED));
        }
        String state = warehouseStateOf(w);
        CliRunner again = runAs(w, "b2", "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(state, warehouseStateOf(w));
    }

    /** Every table of the warehouse, Sluice's own included: what "no extra table" is checked against. */
    private List<String> warehouseTables(Path w) {
        try (Tier t = tier(w, "warehouse")) {
            return t.tables();
        }
    }

    private long historyRows(Path w, String playbook) {
        try (Tier t = tier(w, "warehouse")) {
            return t.hasTable("sluice_history") ? t.count("sluice_history", "playbook = ?", playbook) : 0;
        }
    }

    /**
     * Issue 13: the document's "pg_restore --clean" of the latest backup is Sluice's verified restore of the warehouse
     * from the migration's Step 1 snapshot. The warehouse comes back as it was before the migration (every table's count
     * and checksum, no v2 table left, v2's writes since gone), the restore checked the manifest, the state before the
     * rollback is kept, the migration's history is forgotten, and a retry migrates again. On the foreign fixture the
     * warehouse holds a table of its own (legacy_notes: NULL, unicode, quotes) that v2 writes to before the rollback,
     * and the rollback finds the backup by itself (the latest one).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void rollbackRestoresTheWarehouseFromItsSnapshotVerifiedThenARetryMigratesAgain(Data data) throws Exception {
        Path w = workspaceFor(data);
        String before = warehouseStateOf(w);
        assertEquals(0, runAs(w, "first", "--yes").status());
        assertTrue(warehouseStateOf(w).contains("captures "));
        List<String> backedUp = dev.sluice.encoding.Json.mapper().readValue(w.resolve("backups/first/manifest.json").toFile(),
                dev.sluice.snapshot.Snapshot.class).files().stream().filter(f -> f.tier().equals("warehouse")).findFirst().orElseThrow()
                .checksums().keySet().stream().sorted().toList();
        // v2 goes live for a while: new captures, and (foreign data) its own table touched.
        try (Tier wh = tier(w, "warehouse")) {
            wh.exec("INSERT INTO captures (session_id, user_text, agent_text, metadata) VALUES ('v2-ü', 'written by v2 ✓', 'ok', '{\"v\": 2}')");
            if (data == Data.FOREIGN) {
                wh.exec("UPDATE legacy_notes SET body = NULL WHERE id = 1");
                wh.exec("INSERT INTO legacy_notes VALUES (4, 'v2 era 日本語')");
            }
        }
        String migrated = warehouseStateOf(w);

        CliRunner dry = CliRunner.run("run", ROLLBACK.toString(), "-w", w.toString(), "--dry-run");
        assertEquals(0, dry.status(), dry.out() + dry.err());
        assertEquals(migrated, warehouseStateOf(w), "a dry run of the rollback changes nothing");

        List<String> rollback = new ArrayList<>(List.of("run", ROLLBACK.toString(), "-w", w.toString(), "--yes"));
        if (data == Data.DEMO) {
            rollback.addAll(List.of("-p", "backup=first"));   // the foreign run finds the latest backup by itself
        }
        CliRunner rb = CliRunner.run(rollback.toArray(String[]::new));

        assertEquals(0, rb.status(), rb.out() + rb.err());
        assertFalse(rb.out().contains("✗"), rb.out());
        assertTrue(rb.out().contains("will restore the warehouse from 'first'"), rb.out());
        assertEquals(before, warehouseStateOf(w), "every table's count and checksum as before the migration, no v2 table left");
        assertEquals(backedUp, warehouseTables(w).stream().sorted().toList(), "exactly the backup's tables, Sluice's own included");
        assertTrue(rb.out().contains("restore checked warehouse count and checksum of " + backedUp.size() + " table(s), no other table: ok"),
                "the restore verified every table against the manifest: " + rb.out());
        String kept;
        try (Stream<Path> s = Files.list(w.resolve("backups"))) {
            kept = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("before-restore-")).findFirst().orElseThrow();
        }
        Map<String, Long> keptCounts = dev.sluice.encoding.Json.mapper().readValue(w.resolve("backups").resolve(kept).resolve("manifest.json").toFile(),
                dev.sluice.snapshot.Snapshot.class).files().get(0).counts();
        try (Tier c = tier(w, "captures")) {
            assertEquals(c.count("captures") + 1, keptCounts.get("captures"), "the state before the rollback is kept, v2's capture with it");
        }
        assertEquals(0L, historyRows(w, "voice-agent-v2"), "the migration's history is forgotten");

        CliRunner sameName = runAs(w, "first", "--yes");
        assertEquals(18, sameName.status(), sameName.out() + sameName.err());
        assertTrue((sameName.out() + sameName.err()).contains("snapshotFree 'first': found snapshot 'first'"), sameName.out() + sameName.err());
        assertEquals(before, warehouseStateOf(w), "a refused retry writes nothing");

        CliRunner retry = runAs(w, "second", "--yes");
        assertEquals(0, retry.status(), retry.out() + retry.err());
        assertFalse(retry.out().contains("✗"), retry.out());
        assertEquals(6L, historyRows(w, "voice-agent-v2"), "the retry ran every step again: " + retry.out());
        try (Tier c = tier(w, "captures"); Tier wh = tier(w, "warehouse")) {
            assertEquals(c.count("captures"), wh.count("captures"));
            assertEquals(c.checksum("captures", UNCONVERTED), wh.checksum("captures", UNCONVERTED));
        }
    }

    @Test
    void rollbackWithoutABackupOfTheWarehouseIsRefusedBeforeAnythingChanges() {
        String before = warehouseStateOf(ws);
        CliRunner rb = CliRunner.run("run", ROLLBACK.toString(), "-w", ws.toString(), "--yes");
        assertEquals(18, rb.status(), rb.out() + rb.err());
        assertTrue((rb.out() + rb.err()).contains("a backup of the warehouse to restore"), rb.out() + rb.err());
        assertEquals(before, warehouseStateOf(ws));
        assertFalse(Files.exists(ws.resolve("backups")), "no before-restore snapshot either");
    }
}
