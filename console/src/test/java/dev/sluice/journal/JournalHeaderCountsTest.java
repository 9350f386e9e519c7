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
 * counts' read lock, then succeeds) and on PostgreSQL (REPEATABLE READ); a journal whose counts were not taken replays
 * and exports with its schema checked only, and says so. Review of issue 18: a rollback-journal tier is counted first
 * and at once, its pin released as soon as it is counted; a write waits at most its busy timeout for the pin, then the
 * pin is given up and the write goes on; a PostgreSQL count gives up on a table locked past lock_timeout; an Error in
 * the counting loop leaves no pin held.
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
        return workspace(name, tiers, BUSY_MS);
    }

    /** {@code rjBusyMs}: the rollback-journal tiers' busy timeout, or null for the default (5,000 ms). */
    private Path workspace(String name, List<String> tiers, Integer rjBusyMs) throws Exception {
        Path ws = dir.resolve(name);
        Files.createDirectories(ws.resolve("data"));
        for (String tier : tiers) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=" + (tier.startsWith("wal") ? "WAL" : "DELETE"));
                st.execute("CREATE TABLE " + ODD + " (k INTEGER, label TEXT, payload BLOB)");
                st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") INSERT INTO " + ODD
                        + " SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ligne ' || i || ' é' END, randomblob(i % 5) FROM n");
                st.execute("CREATE TABLE keyed (id INTEGER PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO keyed (v) VALUES ('a'), (NULL)");
            }
        }
        List<String> entries = new java.util.ArrayList<>();
        for (String tier : tiers) {
            if (tier.startsWith("wal")) {
                entries.add("\"" + tier + "\": {\"url\": \"jdbc:sqlite:data/" + tier + ".db\", \"pragmas\": {\"journal_mode\": \"WAL\"}}");
            } else {
                // A busy timeout far shorter than the counts may take: a write that waited it out would fail "database is locked".
                entries.add("\"" + tier + "\": {\"url\": \"jdbc:sqlite:data/" + tier + ".db\""
                        + (rjBusyMs == null ? "" : ", \"pragmas\": {\"busy_timeout\": \"" + rjBusyMs + "\"}") + "}");
            }
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

    /**
     * Records, as the console does, a first input that inserts two rows while the header's counts have not begun (WAL: held
     * by a gate) or are under way (rollback-journal: counted at once, the write waiting for their read lock).
     */
    private Path recordInsertBeforeCounts(Path ws, String tier) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (Session session = Session.open(ws);
             Recording rec = tier.equals("rj") ? Recording.startCountingLater(session, "console", false)
                     : Recording.startCountingLater(session, "console", gate)) {
            rec.beforeInput(); // never waits
            int n;
            if (tier.equals("rj")) {
                // Reads run at once: only a write conflicts with the counts' SHARED lock.
                assertEquals((long) ROWS, ((Number) session.tier(tier).query("SELECT count(*) FROM " + ODD).value()).longValue());
                // A write's commit waits for the counts (within the tier's default busy timeout), then succeeds.
                rec.journal().input("java", insert(tier));
                n = session.tier(tier).exec("INSERT INTO " + ODD + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)");
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
        Path ws = workspace("rj-staging", List.of("wal", "rj"), null);
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
        Path ws = workspace("front", List.of("wal", "rj"), null);
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
    void copyIntoARollbackJournalTierAsTheFirstInputGivesUpTheHeldCountsAndDoesNotDeadlock() throws Exception {
        Path ws = workspace("copy", List.of("wal", "rj"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/wal.db")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE moved (id INTEGER PRIMARY KEY, v TEXT, b BLOB)");
            st.execute("INSERT INTO moved VALUES (1, 'één', x'00ff'), (2, NULL, NULL), (3, '✓', randomblob(3))");
        }
        CountDownLatch gate = new CountDownLatch(1); // the counts held as a count of hours would hold them
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
            try {
                copier.join(30_000); // a hang guard: the copy waits about its busy timeout (100 ms), then the pin goes
                assertFalse(copier.isAlive(), "the copy's commit waited past its busy timeout for the console's own pin");
            } finally {
                gate.countDown();
                copier.join();
            }
            assertEquals(null, failed[0]);
            rec.afterInput();
            Map<String, Long> counted = rec.fingerprints().stream().filter(f -> f.tier().equals("rj")).findFirst().orElseThrow().counts();
            assertEquals(null, counted, "the pin was given up for the copy: no counts rather than counts after it");
            assertEquals(ROWS, rec.fingerprints().get(0).counts().get(oddName()), "the WAL tier's pin blocks no one: still counted");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/rj.db")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(v IS NULL) FROM moved")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
            assertEquals(1, rs.getInt(2));
        }
        JournalFile j = JournalFile.read(onlyJournal(ws), false);
        assertEquals("a write came before its rows were counted", fingerprint(j, "rj").path(JournalFile.COUNTS_NOT_RECORDED).asText(), j.header().toString());
    }

    @Test
    void aWriteThatWaitedItsBusyTimeoutForTheCountsGivesTheirPinUpAndGoesOn() throws Exception {
        Path ws = workspace("impatient", List.of("wal", "rj"));
        CountDownLatch gate = new CountDownLatch(1); // the rollback-journal tier's count held, as a very long one would be
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
            rec.beforeInput();
            assertTrue(rec.countsBlockWriters(), "the held count keeps the rollback-journal tier's SHARED lock");
            rec.journal().input("java", insert("rj"));
            int[] changed = {-1};
            Throwable[] failed = {null};
            Thread writer = new Thread(() -> {
                try {
                    changed[0] = session.tier("rj").exec("INSERT INTO " + ODD + " (k, label) VALUES (-1, 'inserted'), (-2, NULL)");
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            writer.start();
            try {
                writer.join(30_000); // a hang guard, not a timing: the write gives the pin up after its busy timeout (100 ms)
                assertFalse(writer.isAlive(), "the write still waits for the console's own pin, past its busy timeout of " + BUSY_MS + " ms");
            } finally {
                gate.countDown();
                writer.join();
            }
            assertEquals(null, failed[0], "a write never fails because of Sluice's own pin");
            assertEquals(2, changed[0]);
            assertFalse(rec.countsBlockWriters(), "the pin was released for the write");
            rec.afterInput();
            assertEquals(null, rec.fingerprints().stream().filter(f -> f.tier().equals("rj")).findFirst().orElseThrow().counts());
        }
        assertEquals(ROWS + 2, rows(ws, "rj"));
        JournalFile j = JournalFile.read(onlyJournal(ws), false);
        assertEquals("a write came before its rows were counted", fingerprint(j, "rj").path(JournalFile.COUNTS_NOT_RECORDED).asText(), j.header().toString());
        assertEquals(ROWS, fingerprint(j, "wal").path("counts").path(oddName()).asLong(), "only writer-blocking pins are given up");
    }

    @Test
    void aRollbackJournalTierIsCountedAtOnceAndAWriteWaitsForItsCount() throws Exception {
        Path ws = workspace("urgent", List.of("rj"), null);
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", false)) {
            rec.beforeInput();
            assertEquals(2, session.tier("rj").exec("INSERT INTO " + ODD + " (k) VALUES (-1), (-2)"));
            assertEquals(ROWS, rec.fingerprints().get(0).counts().get(oddName()), "counted as pinned, before the write");
            rec.afterInput();
        }
        assertEquals(ROWS + 2, rows(ws, "rj"));
    }

    @Test
    void aRollbackJournalPinIsReleasedAsSoonAsItsTierIsCountedNotAfterTheOtherTiers() throws Exception {
        // Regression (review of issue 18): a big rollback-journal tier waited for the first input (or 2 s) before its count,
        // holding its SHARED lock, and then for the other tiers' counts: every writer of the file was kept out meanwhile.
        Path ws = workspace("first", List.of("wal", "rj"), null);
        // Every tier "big" (over 0 bytes), the start delay an hour: only a pin that blocks writers is counted before an input.
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", 3_600_000L, 0L)) {
            rec.beforeInput();
            for (int i = 0; i < 600 && !rec.pinReleased("rj"); i++) { // a hang guard of 30 s, not a timing
                Thread.sleep(50);
            }
            assertTrue(rec.pinReleased("rj"), "the rollback-journal tier is counted at once, its pin released with no input");
            assertFalse(rec.countsBlockWriters());
            assertFalse(rec.pinReleased("wal"), "the WAL tier's count still waits for the first input");
            // Another process writes the rollback-journal file at once: no SHARED lock of ours is left on it.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/rj.db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 0");
                assertEquals(1, st.executeUpdate("INSERT INTO keyed (v) VALUES ('other process')"));
            }
        }
        JournalFile j = JournalFile.read(onlyJournal(ws), false);
        assertEquals(ROWS, fingerprint(j, "rj").path("counts").path(oddName()).asLong(), j.header().toString());
        assertEquals(2, fingerprint(j, "rj").path("counts").path("keyed").asLong(), "counted as pinned, before the other process's insert");
        assertTrue(fingerprint(j, "wal").has(JournalFile.COUNTS_NOT_RECORDED), "closed before its input: not counted, and said so");
    }

    @Test
    void anErrorInTheCountingLoopLeavesNoPinHeld() throws Exception {
        // Regression (review of issue 18): an Error out of the loop (here from the damage hook) left the next tiers' pins
        // open, a SHARED lock on a rollback-journal file for the whole session.
        Path ws = workspace("leak", List.of("rj", "rj2"), null);
        Path damaged = ws.resolve("data/rj.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + damaged); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE wide (id INTEGER PRIMARY KEY, pad TEXT)");
            st.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO wide (pad) "
                    + "SELECT printf('row %d %s', i, hex(randomblob(40))) FROM n");
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(damaged.toFile(), "rw")) {
            long pages = raf.length() / 4096;
            raf.seek((pages - 3) * 4096); // a page of the last table's tree: the schema (page 1) still reads
            byte[] junk = new byte[4096];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            raf.write(junk);
        }
        CountDownLatch gate = new CountDownLatch(1);
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
            rec.onDamage(t -> {
                throw new AssertionError("the damage hook failed with an Error");
            });
            gate.countDown();
            rec.fingerprints(); // the loop has ended, one way or another
            assertTrue(rec.pinReleased("rj2"), "the pin after the failure was released");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/rj2.db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 0");
                assertEquals(1, st.executeUpdate("INSERT INTO keyed (v) VALUES ('other process')"));
            }
            rec.beforeInput(); // the plain busy timeout is back: a write to rj2 no longer goes through the pins' handler
            assertEquals(1, session.tier("rj2").exec("INSERT INTO keyed (v) VALUES ('console')"));
        }
        JournalFile j = JournalFile.read(onlyJournal(ws), false);
        assertTrue(fingerprint(j, "rj").path(JournalFile.COUNTS_NOT_RECORDED).asText().contains("damaged"), j.header().toString());
        assertTrue(fingerprint(j, "rj2").has(JournalFile.COUNTS_NOT_RECORDED), j.header().toString());
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

    @Test
    void postgresCountBehindATableLockedByAnOpenStepGivesUpAndTheSessionGoesOn() throws Exception {
        // Regression (review of issue 18): the count waited with no lock timeout behind a step's ALTER TABLE (ACCESS
        // EXCLUSIVE, held while the operator looks), holding its own ACCESS SHARE locks, and every pin behind it.
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + ODD + " (k INTEGER, label TEXT)");
                st.execute("INSERT INTO " + ODD + " VALUES (1, 'é'), (2, NULL)");
                st.execute("CREATE TABLE keyed (id SERIAL PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO keyed (v) VALUES ('a'), (NULL)");
            }
            Path ws = workspace("pg-locked", List.of("rj"), null);
            String config = Files.readString(ws.resolve("sluice.json"));
            Files.writeString(ws.resolve("sluice.json"), config.replace("{\"tiers\": {", "{\"tiers\": {\"pg\": {\"url\": \"" + pg.url()
                    + "\", \"user\": \"" + dev.sluice.testing.Postgres.USER + "\"}, "));
            CountDownLatch gate = new CountDownLatch(1);
            try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
                rec.beforeInput();
                // The step's ALTER TABLE, left open: ACCESS EXCLUSIVE on the table until the operator commits or rolls back.
                session.tier("pg").begin();
                session.tier("pg").exec("ALTER TABLE keyed ADD COLUMN extra INTEGER");
                gate.countDown();
                java.util.concurrent.atomic.AtomicReference<List<dev.sluice.tier.Fingerprint>> fp = new java.util.concurrent.atomic.AtomicReference<>();
                Thread waiter = new Thread(() -> fp.set(rec.fingerprints()));
                waiter.start();
                waiter.join(60_000); // a hang guard: the count gives up after lock_timeout (1 s)
                boolean hung = waiter.isAlive();
                session.tier("pg").rollback();
                waiter.join();
                assertFalse(hung, "the counts waited on the step's lock with no limit");
                assertEquals(null, fp.get().stream().filter(f -> f.tier().equals("pg")).findFirst().orElseThrow().counts());
                assertEquals(ROWS, fp.get().stream().filter(f -> f.tier().equals("rj")).findFirst().orElseThrow().counts().get(oddName()),
                        "the rollback-journal tier was counted first, whatever the PostgreSQL count met");
                // The session goes on, and the given-up count holds no lock: an ACCESS EXCLUSIVE lock is granted at once.
                session.tier("pg").begin();
                session.tier("pg").exec("SET LOCAL lock_timeout = '5s'");
                session.tier("pg").exec("LOCK TABLE keyed IN ACCESS EXCLUSIVE MODE");
                session.tier("pg").rollback();
                assertEquals(2L, ((Number) session.tier("pg").query("SELECT count(*) FROM keyed").value()).longValue());
            }
            JournalFile j = JournalFile.read(onlyJournal(ws), false);
            String why = fingerprint(j, "pg").path(JournalFile.COUNTS_NOT_RECORDED).asText();
            assertTrue(why.contains("lock_timeout"), j.header().toString());
        }
    }

    @Test
    void ctrlCStopsAnAtomicStepsWriteWaitingForTheCounts() throws Exception {
        // Regression (review of issue 18): the handler on an atomic step's shared connection had no cancel check.
        Path ws = workspace("atomic", List.of("rj"), 120_000); // a busy timeout longer than this test's hang guard
        CountDownLatch gate = new CountDownLatch(1);
        try (Session session = Session.open(ws); Recording rec = Recording.startCountingLater(session, "console", gate)) {
            rec.beforeInput();
            dev.sluice.tier.Tier rj = session.tier("rj");
            try (dev.sluice.tier.SharedConnection shared = dev.sluice.tier.SharedConnection.attach("move", ws.resolve(".sluice/atomic-test.db"),
                    List.of(rj), note -> { })) {
                Throwable[] failed = {null};
                Thread writer = new Thread(() -> {
                    try {
                        rj.exec("INSERT INTO keyed (v) VALUES ('atomic')");
                    } catch (Throwable e) {
                        failed[0] = e;
                    }
                });
                writer.start();
                try {
                    // Wait until the write is in the busy handler: it holds PENDING, so a new reader elsewhere is refused.
                    for (int i = 0; i < 600 && writer.isAlive() && readable(ws.resolve("data/rj.db")); i++) {
                        Thread.sleep(50);
                    }
                    assertTrue(writer.isAlive(), "the write waits for the counts' read lock: " + failed[0]);
                    for (int i = 0; i < 300 && writer.isAlive(); i++) { // Ctrl-C, repeated as an impatient operator would; 30 s guard
                        dev.sluice.tier.TierInternals.cancel(rj);
                        writer.join(100);
                    }
                    assertFalse(writer.isAlive(), "Ctrl-C did not stop the write waiting for the counts");
                } finally {
                    gate.countDown();
                    writer.join();
                }
                assertTrue(failed[0] instanceof dev.sluice.error.SluiceException se
                        && (se.code() == dev.sluice.error.ErrorCode.CANCELLED || se.code() == dev.sluice.error.ErrorCode.LOCKED),
                        "the cancelled write failed as cancelled: " + failed[0]);
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/rj.db")); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM keyed WHERE v = 'atomic'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing written");
        }
    }

    /** Whether another connection may read {@code file} at once (no writer holds PENDING or EXCLUSIVE on it). */
    private static boolean readable(Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM keyed")) {
                return rs.next();
            }
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}
