package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.CliRunner;
import dev.sluice.dsl.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: the console's journal header counts rows in the background, on a read pinned before the first input. Its
 * counts are the state before the first input even when that input inserts rows, on a WAL tier (which the input may
 * write while the counts run), on a rollback-journal tier (where a read runs at once and a write's commit waits for the
 * counts' read lock, past its busy timeout, then succeeds) and on PostgreSQL (REPEATABLE READ); a journal whose counts
 * were not taken replays and exports with its schema checked only, and says so.
 */
class JournalHeaderCountsTest {
    private static final String ODD = "\"odd \"\"name\"\" ✓\""; // quotes, a space and unicode in one identifier
    private static final int ROWS = 3000;
    private static final int BUSY_MS = 100;

    @TempDir
    Path dir;

    /** A workspace with a WAL tier and a rollback-journal tier, each with an odd-named table (no primary key, NULLs, blobs). */
    private Path workspace(String name) throws Exception {
        return workspace(name, List.of("wal", "rj"));
    }

    private Path workspace(String name, List<String> tiers) throws Exception {
        Path ws = dir.resolve(name);
        Files.createDirectories(ws.resolve("data"));
        for (String tier : tiers) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=" + (tier.equals("wal") ? "WAL" : "DELETE"));
                st.execute("CREATE TABLE " + ODD + " (k INTEGER, label TEXT, payload BLOB)");
                st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") INSERT INTO " + ODD
                        + " SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ligne ' || i || ' é' END, randomblob(i % 5) FROM n");
                st.execute("CREATE TABLE keyed (id INTEGER PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO keyed (v) VALUES ('a'), (NULL)");
            }
        }
        List<String> entries = new java.util.ArrayList<>();
        if (tiers.contains("wal")) {
            entries.add("\"wal\": {\"url\": \"jdbc:sqlite:data/wal.db\", \"pragmas\": {\"journal_mode\": \"WAL\"}}");
        }
        if (tiers.contains("rj")) {
            // A busy timeout far shorter than the counts take: a write that waited it out would fail "database is locked".
            entries.add("\"rj\": {\"url\": \"jdbc:sqlite:data/rj.db\", \"pragmas\": {\"busy_timeout\": \"" + BUSY_MS + "\"}}");
        }
        Files.writeString(ws.resolve("sluice.json"), "{\"tiers\": {" + String.join(", ", entries) + "}, \"journal\": \"sessions\"}");
        return ws;
    }

    private static String insert(String tier) {
        return tier + ".exec(\"INSERT INTO " + ODD.replace("\"", "\\\"") + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)\")";
    }

    private static long rows(Path ws, String tier) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + ODD)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Path onlyJournal(Path ws) throws Exception {
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".jsonl")).toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    private static JsonNode fingerprint(JournalFile j, String tier) {
        for (JsonNode f : j.header().path("fingerprint")) {
            if (f.path("tier").asText().equals(tier)) {
                return f;
            }
        }
        throw new AssertionError("no fingerprint for " + tier + " in " + j.header());
    }

    private static String oddName() {
        return "odd \"name\" ✓";
    }

    /** Records, as the console does, a first input that inserts two rows while the header's counts have not begun. */
    private Path recordInsertBeforeCounts(Path ws, String tier) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
            rec.beforeInput(); // never waits
            int n;
            if (tier.equals("rj")) {
                assertTrue(rec.countsBlockWriters(), "a rollback-journal tier's pinned counts hold its read lock");
                // A read runs at once, the counts not even begun: only a write conflicts with their SHARED lock.
                assertEquals((long) ROWS, ((Number) session.tier(tier).query("SELECT count(*) FROM " + ODD).value()).longValue());
                // A write's commit waits for the counts, well past its busy timeout, then succeeds.
                rec.journal().input("java", insert(tier));
                int[] changed = {-1};
                Throwable[] failed = {null};
                Thread writer = new Thread(() -> {
                    try {
                        changed[0] = session.tier(tier).exec("INSERT INTO " + ODD + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)");
                    } catch (Throwable e) {
                        failed[0] = e;
                    }
                });
                writer.start();
                writer.join(6L * BUSY_MS);
                assertTrue(writer.isAlive(), "the write waits for the counts' read lock, past its busy timeout of " + BUSY_MS + " ms: " + failed[0]);
                // (Not read from here meanwhile: the waiting commit holds PENDING, which keeps new readers out until it is done.)
                gate.countDown();
                writer.join();
                assertEquals(null, failed[0], "the write waited for the counts instead of failing");
                n = changed[0];
            } else {
                assertFalse(rec.countsBlockWriters(), "a WAL tier's pinned snapshot lets the first input write at once");
                rec.journal().input("java", insert(tier));
                n = session.tier(tier).exec("INSERT INTO " + ODD + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)");
            }
            assertEquals(2, n);
            rec.journal().shown(n, false); // as the console records what it showed
            rec.journal().output(String.valueOf(n));
            rec.afterInput();
            assertEquals(ROWS + 2, rows(ws, tier), "the insert was committed before the counts began");
            gate.countDown();
            assertEquals(ROWS, rec.fingerprints().stream().filter(f -> f.tier().equals(tier)).findFirst().orElseThrow().counts().get(oddName()));
        }
        return onlyJournal(ws);
    }

    @Test
    void walHeaderCountsAreTheStateBeforeAFirstInputThatInserts() throws Exception {
        Path ws = workspace("wal-staging", List.of("wal"));
        Path journal = recordInsertBeforeCounts(ws, "wal");
        JournalFile j = JournalFile.read(journal, false);
        assertEquals(ROWS, fingerprint(j, "wal").path("counts").path(oddName()).asLong(), j.header().toString());
        assertEquals(2, fingerprint(j, "wal").path("counts").path("keyed").asLong());
        assertTrue(j.countsNotRecorded().isEmpty(), j.countsNotRecorded().toString());
        Path prod = workspace("wal-prod", List.of("wal"));
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("differs"), r.out());
        assertEquals(ROWS + 2, rows(prod, "wal"), "the replay ran the recorded insert");
    }

    @Test
    void rollbackJournalHeaderCountsAreTheStateBeforeAFirstInputThatInserts() throws Exception {
        Path ws = workspace("rj-staging");
        Path journal = recordInsertBeforeCounts(ws, "rj");
        JournalFile j = JournalFile.read(journal, false);
        assertEquals(ROWS, fingerprint(j, "rj").path("counts").path(oddName()).asLong(), j.header().toString());
        Path prod = workspace("rj-prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        // Replayed on the state after the insert, the header's counts tell the difference: no false match.
        CliRunner again = CliRunner.run("replay", "-w", ws.toString(), journal.toString());
        assertEquals(1, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("rj." + oddName() + ": recorded 3,000 rows, now 3,002"), again.out());
    }

    @Test
    void consoleFirstInputThatInsertsIsCountedBeforeThroughTheFrontDoor() throws Exception {
        Path ws = workspace("front");
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-e", insert("rj"), "-e", insert("wal"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(ROWS + 2, rows(ws, "rj"));
        assertEquals(ROWS + 2, rows(ws, "wal"));
        JournalFile j = JournalFile.read(onlyJournal(ws), false);
        // The rollback-journal tier's counts ended before its first input ran; the WAL tier's are exact or not recorded.
        assertEquals(ROWS, fingerprint(j, "rj").path("counts").path(oddName()).asLong(), j.header().toString());
        JsonNode wal = fingerprint(j, "wal");
        assertTrue(wal.has(JournalFile.COUNTS_NOT_RECORDED) || wal.path("counts").path(oddName()).asLong() == ROWS, wal.toString());
        assertFalse(wal.has("countsLater"), "readers see the counts merged in, or why they are missing");
    }

    @Test
    void journalWhoseCountsWereNotTakenReplaysWithTheSchemaOnlyAndSaysSo() throws Exception {
        Path ws = workspace("uncounted");
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", new CountDownLatch(1))) {
            rec.journal().input("java", "wal.count(\"keyed\")");
            session.tier("wal").count("keyed");
        } // closed before the gate opened: the counts were never taken
        Path journal = onlyJournal(ws);
        JournalFile j = JournalFile.read(journal, false);
        assertEquals(2, j.countsNotRecorded().size(), j.countsNotRecorded().toString());
        assertFalse(fingerprint(j, "wal").has("counts"));
        // Other counts on a workspace of the same schema: no false divergence, and the replay says what it did not compare.
        Path prod = workspace("uncounted-prod");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prod.resolve("data/rj.db")); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM " + ODD + " WHERE k > 10");
        }
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Note: rj: row counts were not recorded (the session ended before the rows were counted); only its schema is compared."), r.out());
        // A different schema is still a difference: no false match.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prod.resolve("data/rj.db")); Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE extra (x)");
        }
        CliRunner changed = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(1, changed.status(), changed.out());
        assertTrue(changed.out().contains("rj: schema differs"), changed.out());
        // The exported playbook's first step requires the schema only, and says why.
        Path pb = dir.resolve("exported.groovy");
        CliRunner export = CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", pb.toString());
        assertEquals(0, export.status(), export.out() + export.err());
        String groovy = Files.readString(pb);
        assertTrue(groovy.contains("wal has the schema the session was recorded on"), groovy);
        assertTrue(groovy.contains("row counts were not recorded"), groovy);
        assertFalse(groovy.contains("f.counts() =="), groovy);
    }

    @Test
    void journalKilledBeforeItsCountsGivesOneClearLine() throws Exception {
        Path ws = workspace("killed");
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", new CountDownLatch(1))) {
            Path file = rec.journal().file();
            // What a kill -9 before the counts leaves: the header alone (the end event is never written).
            List<String> lines = Files.readAllLines(file);
            Files.writeString(dir.resolve("killed.jsonl"), lines.get(0) + "\n");
        }
        Path killed = dir.resolve("killed.jsonl");
        for (String cmd : List.of("replay", "report", "export")) {
            CliRunner r = cmd.equals("replay") ? CliRunner.run("replay", "-w", ws.toString(), killed.toString())
                    : cmd.equals("report") ? CliRunner.run("report", killed.toString(), "-o", dir.resolve("r.html").toString())
                    : CliRunner.run("export", killed.toString(), "--to", "markdown", "-o", dir.resolve("r.md").toString());
            assertTrue(r.status() != 0 || r.err().isEmpty(), cmd + ": " + r.out() + r.err());
            assertFalse((r.out() + r.err()).contains("Exception"), cmd + ": " + r.out() + r.err());
        }
        CliRunner forced = CliRunner.run("replay", "-w", ws.toString(), "--force", killed.toString());
        assertTrue(forced.out().contains("row counts were not recorded (the session stopped before its row counts were written)"),
                forced.out() + forced.err());
    }

    @Test
    void copyIntoARollbackJournalTierAsTheFirstInputWaitsForTheCountsAndDoesNotDeadlock() throws Exception {
        Path ws = workspace("copy", List.of("wal", "rj"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/wal.db")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE moved (id INTEGER PRIMARY KEY, v TEXT, b BLOB)");
            st.execute("INSERT INTO moved VALUES (1, 'één', x'00ff'), (2, NULL, NULL), (3, '✓', randomblob(3))");
        }
        CountDownLatch gate = new CountDownLatch(1);
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
            rec.beforeInput();
            Throwable[] failed = {null};
            Thread copier = new Thread(() -> {
                try {
                    // Source attached read-only on the target's connection, written into the rollback-journal tier.
                    dev.sluice.dsl.Sluice.copy(session.tier("wal"), "moved", session.tier("rj"));
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            copier.start();
            copier.join(6L * BUSY_MS);
            assertTrue(copier.isAlive(), "the copy's commit waits for the counts' read lock: " + failed[0]);
            gate.countDown();
            copier.join(30_000);
            assertFalse(copier.isAlive(), "no deadlock between the copy and the counts");
            assertEquals(null, failed[0]);
            rec.afterInput();
            Map<String, Long> counted = rec.fingerprints().stream().filter(f -> f.tier().equals("rj")).findFirst().orElseThrow().counts();
            assertFalse(counted.containsKey("moved"), "the header's counts are the state before the copy: " + counted);
            assertEquals(ROWS, counted.get(oddName()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/rj.db")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(v IS NULL) FROM moved")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
            assertEquals(1, rs.getInt(2));
        }
    }

    @Test
    void aWriteOnARollbackJournalTierBeforeTheCountsBeganStartsThemAndWaits() throws Exception {
        // No gate: the counts would wait for the first input to end; a write during it asks for them now.
        Path ws = workspace("urgent", List.of("rj"));
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", false)) {
            rec.beforeInput();
            assertTrue(rec.countsBlockWriters());
            assertEquals(2, session.tier("rj").exec("INSERT INTO " + ODD + " (k) VALUES (-1), (-2)"));
            assertEquals(ROWS, rec.fingerprints().get(0).counts().get(oddName()));
            rec.afterInput();
        }
        assertEquals(ROWS + 2, rows(ws, "rj"));
    }

    @Test
    void postgresHeaderCountsAreTheStateBeforeAFirstInputThatInserts() throws Exception {
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + ODD + " (k INTEGER, label TEXT, payload BYTEA)");
                st.execute("INSERT INTO " + ODD + " SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ligne ' || i || ' é' END, "
                        + "decode(lpad(to_hex(i % 256), 2, '0'), 'hex') FROM generate_series(1, " + ROWS + ") i");
                st.execute("CREATE TABLE keyed (id SERIAL PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO keyed (v) VALUES ('a'), (NULL)");
            }
            Path ws = dir.resolve("pg");
            Files.createDirectories(ws);
            Files.writeString(ws.resolve("sluice.json"), "{\"tiers\": {\"pg\": {\"url\": \"" + pg.url() + "\", \"user\": \""
                    + dev.sluice.testing.Postgres.USER + "\"}}, \"journal\": \"sessions\"}");
            CountDownLatch gate = new CountDownLatch(1);
            try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
                assertFalse(rec.countsBlockWriters(), "a REPEATABLE READ snapshot holds no lock a writer waits on");
                rec.beforeInput();
                rec.journal().input("java", insert("pg"));
                assertEquals(2, session.tier("pg").exec("INSERT INTO " + ODD + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)"));
                session.tier("pg").exec("DELETE FROM keyed WHERE v IS NULL");
                rec.journal().output("2");
                rec.afterInput();
                gate.countDown();
                Map<String, Long> counted = rec.fingerprints().get(0).counts();
                assertEquals(ROWS, counted.get(oddName()), counted.toString());
                assertEquals(2, counted.get("keyed"), "the delete after the pin is not seen either");
            }
            JournalFile j = JournalFile.read(onlyJournal(ws), false);
            assertEquals(ROWS, fingerprint(j, "pg").path("counts").path(oddName()).asLong(), j.header().toString());
            assertTrue(j.countsNotRecorded().isEmpty(), j.countsNotRecorded().toString());
            try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + ODD)) {
                rs.next();
                assertEquals(ROWS + 2, rs.getLong(1));
            }
        }
    }
}
