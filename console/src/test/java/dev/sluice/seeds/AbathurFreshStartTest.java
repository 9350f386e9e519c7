package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 001 (Abathur fresh start) end to end: a workspace whose tier {@code abathur} has no file yet, the playbook run
 * through the CLI's front door, and the document's own checks (sections 4.1, 5.3, 6.2 and 8.1) asserted on the file.
 */
class AbathurFreshStartTest {
    static final Path PLAYBOOK = Path.of("../playbooks/abathur-fresh-start.groovy");
    static final List<String> TABLES = List.of("agents", "audit", "checkpoints", "document_index", "memory_entries", "metrics",
            "sessions", "state", "tasks");

    @TempDir
    Path tmp;

    /** A workspace with tier abathur at abathur.db, created on open, with the per-connection pragmas of section 2.1. */
    static Path freshWorkspace(Path dir) {
        write(dir.resolve("sluice.json"), """
                {
                  "tiers": {
                    "abathur": { "path": "abathur.db", "create": true,
                                 "pragmas": { "synchronous": "NORMAL", "wal_autocheckpoint": "1000" } }
                  },
                  "snapshots": "backups",
                  "journal": "sessions"
                }
                """);
        return dir;
    }

    static CliRunner run(Path ws, Path playbook, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "run";
        args[1] = playbook.toString();
        args[2] = "-w=" + ws;
        System.arraycopy(more, 0, args, 3, more.length);
        return CliRunner.run(args);
    }

    /** A connection of its own on the file, as the application would open it (foreign keys on). */
    static Tier open(Path ws) {
        return Tier.open(Workspace.load(ws).tier("abathur"));
    }

    @Test
    void yesRunCreatesTheDocumentsSchemaSeedsItAndChecksIt() {
        Path ws = freshWorkspace(tmp);
        assertFalse(Files.exists(ws.resolve("abathur.db")));

        CliRunner r = run(ws, PLAYBOOK, "--yes");

        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("non-transactional action: PRAGMA journal_mode = WAL on abathur"), r.out());
        try (Tier t = open(ws)) {
            // 4.1 test_database_initialization, 6.2 step 3: the tables exist
            assertTrue(t.tables().containsAll(TABLES), t.tables().toString());
            // 8.1 all indexes created, the partial ones with their WHERE
            assertEquals("status IN ('active', 'paused')", where(t, "sessions", "idx_sessions_status_updated"));
            assertEquals("is_deleted = 0", where(t, "memory_entries", "idx_memory_type_updated"));
            assertTrue(t.hasIndex("idx_sessions_user_created") && t.hasIndex("idx_memory_namespace_key_version"));
            // section 3: the seed rows, with the document's values
            assertEquals(3, t.count("memory_entries", "created_by = 'system'"));
            assertEquals("weekly", t.query("SELECT json_extract(value, '$.consolidation_frequency') FROM memory_entries "
                    + "WHERE namespace = 'app:abathur:config' AND key = 'memory_lifecycle_policies'").value());
            assertEquals(1, t.count("sessions", "user_id = 'example_user' AND status = 'created'"));
            assertEquals("Initialize example session", t.query("SELECT json_extract(events, '$[0].content.message') FROM sessions").value());
            // the CHECK constraints refuse invalid JSON and unknown enums
            assertRefused(t, "INSERT INTO memory_entries (namespace, key, value, memory_type) VALUES ('user:t', 'theme', 'light', 'semantic')");
            assertRefused(t, "INSERT INTO sessions (id, app_name, user_id, state) VALUES ('s1', 'test_app', 'test_user', '{')");
            assertRefused(t, "INSERT INTO document_index (file_path, title, content_hash, sync_status) VALUES ('a.md', 'A', 'h', 'gone')");
            // 8.1 all foreign key constraints enforced
            assertRefused(t, "INSERT INTO tasks (id, prompt, status, input_data, submitted_at, last_updated_at, session_id) "
                    + "VALUES ('t1', 'p', 'pending', '{}', '2025-10-10', '2025-10-10', 'missing')");
            assertRefused(t, "INSERT INTO checkpoints (task_id, iteration, state) VALUES ('missing', 1, '{}')");
            // 4.2 task-session linkage, 4.1 memory versioning (v1 kept next to v2)
            t.exec("INSERT INTO sessions (id, app_name, user_id) VALUES ('s1', 'test_app', 'test_user')");
            t.exec("INSERT INTO tasks (id, prompt, status, input_data, submitted_at, last_updated_at, session_id) "
                    + "VALUES ('t1', 'Test task', 'pending', '{}', '2025-10-10', '2025-10-10', 's1')");
            assertEquals("s1", t.query("SELECT session_id FROM tasks WHERE id = 't1'").value());
            t.exec("INSERT INTO memory_entries (namespace, key, value, memory_type) VALUES ('user:test:preferences', 'theme', '\"light\"', 'semantic')");
            t.exec("INSERT INTO memory_entries (namespace, key, value, memory_type, version) VALUES ('user:test:preferences', 'theme', '\"dark\"', 'semantic', 2)");
            assertEquals("\"light\"", t.query("SELECT value FROM memory_entries WHERE key = 'theme' AND version = 1").value());
            // 2.1 WAL (persistent); 5.3 integrity and foreign keys
            assertEquals("wal", t.query("PRAGMA journal_mode").value());
            assertTrue(t.integrity().ok());
            assertTrue(t.foreignKeyCheck().ok());
            assertEquals(8L, t.query("SELECT count(*) FROM sluice_history WHERE playbook = 'abathur-fresh-start'").value());
        }
    }

    @Test
    void theRunsJournalReplaysCleanlyOnAFreshWorkspace() {
        Path staging = freshWorkspace(tmp.resolve("staging"));
        CliRunner r = run(staging, PLAYBOOK, "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        Path prod = freshWorkspace(tmp.resolve("prod"));

        CliRunner replay = CliRunner.run("replay", "-w", prod.toString(), dev.sluice.testing.TestWorkspaces.onlyJournal(staging).toString());

        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("Replay matched: 8 input(s)"), replay.out());
        try (Tier t = open(prod)) {
            assertEquals(3L, t.count("memory_entries"));
            assertEquals(1L, t.count("sessions"));
        }
    }

    @Test
    void secondYesRunChangesNothingAndSaysSo() {
        Path ws = freshWorkspace(tmp);
        assertEquals(0, run(ws, PLAYBOOK, "--yes").status());
        Map<String, String> before = checksums(ws);

        CliRunner again = run(ws, PLAYBOOK, "--yes");

        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("8 step(s), 8 applied"), again.out());
        assertTrue(again.out().contains("Every selected step is already applied; nothing to do."), again.out());
        assertFalse(again.out().contains("Running step"), again.out());
        assertEquals(before, checksums(ws));
    }

    @Test
    void dryRunOnAFreshWorkspaceLeavesAnEmptyFileAndNothingElse() throws IOException {
        Path ws = freshWorkspace(tmp);

        CliRunner r = run(ws, PLAYBOOK, "--dry-run");

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would PRAGMA journal_mode = WAL on abathur (dry run: not done)"), r.out());
        assertTrue(r.out().contains("Dry run: every step was rolled back; nothing changed."), r.out());
        // "create": true makes the file when the tier opens, before any step: it stays, empty (no page was ever written).
        assertEquals(0, Files.size(ws.resolve("abathur.db")));
        try (Stream<Path> s = Files.list(ws)) {
            // Besides the empty file only the run's journal appears (every run is recorded, dry runs too).
            assertEquals(List.of("abathur.db", "sessions", "sluice.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".jsonl")).count());
        }
    }

    @Test
    void workspaceWithoutTheConnectionPragmasStopsAtTheFirstStepNamingThem() {
        write(tmp.resolve("sluice.json"), "{ \"tiers\": { \"abathur\": { \"path\": \"abathur.db\", \"create\": true } } }");

        CliRunner r = run(tmp, PLAYBOOK, "--yes");

        assertEquals(11, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("✗ expect 'synchronous is NORMAL on this connection"), r.out());
        try (Tier t = open(tmp)) {
            assertFalse(t.hasTable("sessions"));
        }
    }

    // ---------------------------------------------------------------- issue 12: foreign data, chmod 700, rollback

    /** The tuned workspace above, a database folder that does not exist yet, an existing empty rollback-journal file. */
    enum Data { DEMO, FOREIGN_NEW_FOLDER, FOREIGN_EMPTY_FILE }

    static Path workspaceFor(Data data, Path dir) {
        return switch (data) {
            case DEMO -> freshWorkspace(dir).resolve("abathur.db");
            case FOREIGN_NEW_FOLDER -> dev.sluice.testing.fixtures.AbathurFixtures.fresh(dir, "var/lib/abathur", false);
            case FOREIGN_EMPTY_FILE -> dev.sluice.testing.fixtures.AbathurFixtures.fresh(dir, "var/lib/abathur", true);
        };
    }

    static boolean posix(Path p) {
        try {
            return Files.getFileStore(p).supportsFileAttributeView("posix");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void yesRunCompletesWithAPrivateFolderAndASecondRunChangesNothing(Data data) throws IOException {
        Path db = workspaceFor(data, tmp);
        CliRunner r = run(tmp, PLAYBOOK, "--yes");
        if (data != Data.DEMO) {
            System.out.println("[AbathurFreshStart " + data + " --yes] " + r.out().lines().filter(l -> l.contains(" committed, ")).findFirst().orElse("(no summary)"));
        }
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("no table (a fresh start)"), r.out());
        if (posix(db)) {
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(db.getParent())));
        }
        try (Tier t = open(tmp)) {
            assertEquals("wal", t.query("PRAGMA journal_mode").value());
            assertTrue(t.integrity().ok());
        }
        Map<String, String> before = checksums(tmp);
        CliRunner again = run(tmp, PLAYBOOK, "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(before, checksums(tmp));
    }

    /** Section 5.1: delete the database file, re-run the initialisation, check integrity. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void rollbackByDeletingTheFileThenARerunInitialisesAgain(Data data) throws IOException {
        Path db = workspaceFor(data, tmp);
        assertEquals(0, run(tmp, PLAYBOOK, "--yes").status());
        Map<String, String> first = checksums(tmp);
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }

        CliRunner r = run(tmp, PLAYBOOK, "--yes");

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("8 committed"), r.out());
        assertEquals(first, checksums(tmp), "the same rows again (fixed ids and times)");
        try (Tier t = open(tmp)) {
            assertTrue(t.integrity().ok());
            assertTrue(t.foreignKeyCheck().ok());
        }
    }

    @Test
    void aDatabaseWithOtherTablesIsNoFreshStartAndNothingIsCreated() throws Exception {
        Path db = dev.sluice.testing.fixtures.AbathurFixtures.fresh(tmp, "var/lib/abathur", true);
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (body TEXT)");
        }
        String perms = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(db.getParent()));

        CliRunner r = run(tmp, PLAYBOOK, "--yes");

        // The playbook's requires block refuses before anything is written (exit 18), folder permissions included.
        assertEquals(18, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("check 'a fresh start: the file holds no table but the ones this playbook creates': found false"),
                r.out() + r.err());
        try (Tier t = open(tmp)) {
            assertFalse(t.hasTable("sessions"));
        }
        assertEquals(perms, java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(db.getParent())),
                "the folder is left alone when the file is not a fresh start");
    }

    // ---------------------------------------------------------------- helpers

    static String where(Tier t, String table, String index) {
        return t.indexes(table).stream().filter(i -> i.name().equals(index)).findFirst().orElseThrow().where();
    }

    static void assertRefused(Tier t, String sql) {
        SluiceException e = assertThrows(SluiceException.class, () -> t.exec(sql));
        assertTrue(e.getMessage().contains("constraint failed"), e.getMessage());
    }

    /** Each user table's checksum (rows and sha256): what "changes nothing" compares. */
    static Map<String, String> checksums(Path ws) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Tier t = open(ws)) {
            for (String table : TABLES) {
                out.put(table, t.checksum(table).toString() + " " + t.checksum(table).sha256());
            }
            out.put("schema", t.fingerprint().schemaSha256());
        }
        return out;
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
