package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2: the SQLite checksum read by two threads ({@link SegmentedChecksum}) hashes exactly what one reader does, and
 * falls back to one reader wherever the two could see different rows. Small segments keep the tables small here.
 */
class SegmentedChecksumTest {
    @TempDir
    Path dir;

    Tier t;

    @BeforeEach
    void open() {
        t = TestWorkspaces.tier(dir, "t1");
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, x, y TEXT, z BLOB)");
    }

    @AfterEach
    void close() {
        t.close();
    }

    /** Two readers on tiny segments: every table counts as big. */
    private Checksummer two() {
        return new Checksummer(t).parallel(1, 37);
    }

    private Checksummer one() {
        return new Checksummer(t).parallel(Long.MAX_VALUE, 37);
    }

    private Checksum twoReaders(String table, List<String> columns, String where, Object... args) {
        Checksummer c = two();
        Checksum sum = c.checksum(table, columns, where, args);
        assertEquals("two readers", c.route());
        return sum;
    }

    private Checksum oneReader(Checksummer c, String reason, String table) {
        Checksum sum = c.checksum(table, null, null);
        assertTrue(c.route().startsWith("one reader: " + reason), c.route());
        return sum;
    }

    /** Gaps, negative keys, NULLs, blobs, unicode, empty strings and every storage class in one column. */
    private void awkwardRows() {
        t.exec("WITH RECURSIVE n(i) AS (SELECT -3000 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                + "INSERT INTO v SELECT i * 3 + (i % 7), CASE abs(i) % 6 WHEN 0 THEN NULL WHEN 1 THEN i * 1000003 WHEN 2 THEN i / 7.0 "
                + "WHEN 3 THEN printf('héllo ✓ 𝄞 %d', i) WHEN 4 THEN '' ELSE randomblob(abs(i) % 40) END, "
                + "CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN '' ELSE '日本語 ' || i END, "
                + "CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN x'' ELSE randomblob(i % 300 + 1) END FROM n "
                + "WHERE i % 11 <> 0");
        t.exec("DELETE FROM v WHERE id BETWEEN 1000 AND 4000"); // one long gap: whole segments empty
        t.exec("INSERT INTO v VALUES (-90000, -0.0, 'low', NULL), (90000, 1e300, 'high', zeroblob(300000))");
    }

    private static boolean readerThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(th -> th.getName().startsWith("sluice-checksum-reader") && th.isAlive());
    }

    /** Another connection can take the whole file at once: the checksum left no lock and no transaction behind. */
    private void assertNothingLeftOpen() throws SQLException {
        assertFalse(readerThreadsAlive(), "reader threads end with the checksum");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t.file()); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("BEGIN EXCLUSIVE");
            st.execute("ROLLBACK");
        }
        t.begin(); // the tier's own connection has no transaction left open either
        t.rollback();
    }

    @Test
    void twoReadersHashExactlyWhatOneReaderHashes() throws Exception {
        awkwardRows();
        Checksum single = oneReader(one(), "small table", "v");
        assertTrue(single.rows() > 4000, "rows: " + single.rows());
        assertEquals(single, twoReaders("v", null, null));
        assertEquals(new Checksummer(t).checksum("v", List.of("z", "x"), null), twoReaders("v", List.of("z", "x"), null));
        assertEquals(single, t.checksum("v"), "the default route agrees too");
        assertNothingLeftOpen();
        assertEquals(List.of("main"), t.query("PRAGMA database_list").rows().stream().map(r -> r.get("name")).toList(),
                "the checks leave the tier's connection as they found it (no temp database created)");
    }

    @Test
    void twoReadersApplyTheWhereAndItsArgumentsToEverySegment() throws Exception {
        awkwardRows();
        String where = "(typeof(x) IN ('text', 'null') OR id < ?) AND y IS NOT ?";
        Checksum single = one().checksum("v", null, where, -500, new StringBuilder("日本語 7"));
        assertTrue(single.rows() > 1000 && single.rows() < 4000, "rows: " + single.rows());
        assertEquals(single, twoReaders("v", null, where, -500, new StringBuilder("日本語 7")));
        // A trailing comment in the where does not swallow the segment's bounds.
        assertEquals(one().checksum("v", null, "id > 0 -- positive"), twoReaders("v", null, "id > 0 -- positive"));
    }

    @Test
    void twoReadersGiveTheReadmeVectors() {
        for (String[] v : ChecksumTest.VECTORS) {
            if (v[1].equals("-0.0")) {
                t.exec("INSERT INTO v (id, x) VALUES (?, ?)", Long.parseLong(v[0]), -0.0d);
            } else {
                t.exec("INSERT INTO v (id, x) VALUES (" + v[0] + ", " + v[1] + ")");
            }
        }
        Checksummer c = new Checksummer(t).parallel(1, 1); // one row per segment: 8 segments, 4 per reader
        assertEquals(new Checksum(8, ChecksumTest.ALL_ROWS), c.checksum("v", List.of("id", "x"), null));
        assertEquals("two readers", c.route());
    }

    @Test
    void keysAtTheEndsOfTheIntegerRangeSplitWithoutOverflow() {
        t.exec("INSERT INTO v (id, x) VALUES (-9223372036854775807, 'min + 1'), (-5, 'a'), (-1, 'b')");
        assertEquals(one().checksum("v", null, null), twoReaders("v", null, null));
        t.exec("INSERT INTO v (id, x) VALUES (9223372036854775807, 'max')"); // max - min + 1 no longer fits a long
        assertEquals(4, oneReader(two(), "key range overflows", "v").rows());
    }

    @Test
    void smallTablesStayOnOneReader() {
        awkwardRows();
        t.exec("DELETE FROM v WHERE id < -20000 OR id > 20000"); // a key range well under Checksummer.PARALLEL_MIN_KEYS
        Checksummer c = new Checksummer(t);
        assertEquals(twoReaders("v", null, null), oneReader(c, "small table", "v"));
        // A wide key range is not a big table when the file is far too small to hold that many rows.
        try (Tier small = TestWorkspaces.tier(dir.resolve("other"), "t2")) {
            small.exec("CREATE TABLE sparse (id INTEGER PRIMARY KEY, x)");
            small.exec("INSERT INTO sparse VALUES (1, 'a'), (1000000000000, 'b')");
            Checksummer s = new Checksummer(small);
            assertEquals(2, s.checksum("sparse", null, null).rows());
            assertTrue(s.route().startsWith("one reader: small table"), s.route());
        }
    }

    @Test
    void walTierFallsBackToOneReader() {
        awkwardRows();
        Checksum before = twoReaders("v", null, null);
        t.query("PRAGMA journal_mode = WAL");
        assertEquals(before, oneReader(two(), "journal_mode wal", "v"));
    }

    @Test
    void openTransactionFallsBackAndCountsItsUncommittedRows() throws Exception {
        awkwardRows();
        Checksum committed = twoReaders("v", null, null);
        t.begin();
        t.exec("INSERT INTO v VALUES (5, 'uncommitted', NULL, NULL)");
        Checksum inside = oneReader(two(), "a transaction is open", "v");
        assertEquals(committed.rows() + 1, inside.rows());
        t.rollback();
        assertEquals(committed, twoReaders("v", null, null));
        // A transaction opened by hand, behind the tier's back, is noticed too.
        try (Statement st = t.connection().createStatement()) {
            st.execute("BEGIN");
            st.execute("DELETE FROM v WHERE id > 0");
        }
        assertTrue(oneReader(two(), "a transaction is open", "v").rows() < committed.rows());
        try (Statement st = t.connection().createStatement()) {
            st.execute("ROLLBACK");
        }
        assertNothingLeftOpen();
    }

    @Test
    void tablesNotOrderedByTheRowidStayOnOneReader() {
        t.exec("CREATE TABLE textkey (k TEXT PRIMARY KEY, x)");
        t.exec("CREATE TABLE intkey (k INT PRIMARY KEY, x)"); // INT, not INTEGER: not the rowid, may hold text
        t.exec("CREATE TABLE norowid (k INTEGER PRIMARY KEY, x) WITHOUT ROWID");
        t.exec("CREATE TABLE desckey (k INTEGER PRIMARY KEY DESC, x)");
        t.exec("CREATE TABLE twokeys (a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
        t.exec("CREATE TABLE nokey (a INTEGER, b)");
        for (String table : List.of("textkey", "intkey", "norowid", "desckey", "twokeys", "nokey")) {
            t.exec("INSERT INTO " + table + " VALUES (3, 'c'), ('2', 'b'), (1.5, 'a'), ('x', 'd')");
            Checksum sum = oneReader(two(), "the order key is not the rowid", table);
            assertEquals(4, sum.rows(), table);
            assertEquals(one().checksum(table, null, null), sum, table);
        }
        t.exec("CREATE TEMP TABLE v (id INTEGER PRIMARY KEY, x)"); // shadows main.v for this connection only
        t.exec("INSERT INTO main.v (id, x) VALUES (1, 'main')");
        t.exec("INSERT INTO temp.v (id, x) VALUES (1, 'temp'), (2, 'temp')");
        assertEquals(2, oneReader(two(), "the order key is not the rowid", "v").rows());
    }

    /**
     * A writer that already holds RESERVED (its rows not committed) cannot commit while the two readers hold SHARED:
     * the checksum is the state before its commit, and its commit goes through right after.
     */
    @Test
    void writerHoldingReservedWaitsAndTheChecksumIsTheStateBeforeIt() throws Exception {
        awkwardRows();
        Checksum before = twoReaders("v", null, null);
        try (Connection w = DriverManager.getConnection("jdbc:sqlite:" + t.file()); Statement st = w.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO v VALUES (5, 'new', NULL, NULL)");
            assertEquals(before, twoReaders("v", null, null));
            st.execute("COMMIT"); // would fail at once (busy_timeout 0) if a reader still held its lock
        }
        assertEquals(before.rows() + 1, twoReaders("v", null, null).rows());
        assertNothingLeftOpen();
    }

    /**
     * Issue 2's crux: a writer reaches PENDING after reader A has its lock but before B asks for one. B fails at once,
     * the attempt is dropped, A's lock is released, the writer commits, and the single reader hashes the state after it:
     * never a mix of the two.
     */
    @Test
    void writerPendingBeforeTheSecondReaderFallsBackToOneReaderAfterItsCommit() throws Exception {
        awkwardRows();
        Checksum before = twoReaders("v", null, null);
        try (Connection w = DriverManager.getConnection("jdbc:sqlite:" + t.file()); Statement st = w.createStatement()) {
            st.execute("PRAGMA busy_timeout = 20000");
            st.execute("BEGIN IMMEDIATE");
            st.execute("DELETE FROM v WHERE id < 0");
            CompletableFuture<Void>[] commit = new CompletableFuture[1];
            Checksummer c = two().beforeSecondReader(() -> {
                commit[0] = CompletableFuture.runAsync(() -> {
                    try {
                        st.execute("COMMIT"); // takes PENDING, then waits for reader A's SHARED to go
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitPending();
            });
            Checksum sum = c.checksum("v", null, null);
            assertEquals("one reader: a writer is waiting for the lock", c.route());
            commit[0].get(20, TimeUnit.SECONDS);
            Checksum after = one().checksum("v", null, null);
            assertTrue(after.rows() < before.rows());
            assertEquals(after, sum, "the state after the writer's commit, hashed from scratch");
        }
        assertNothingLeftOpen();
    }

    /** Waits until a writer holds PENDING: a fresh reader is then refused SHARED at once. */
    private void awaitPending() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection p = DriverManager.getConnection("jdbc:sqlite:" + t.file()); Statement st = p.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            while (System.nanoTime() < deadline) {
                try {
                    st.execute("BEGIN");
                    st.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                    st.execute("ROLLBACK");
                    Thread.sleep(5);
                } catch (SQLException e) {
                    if (String.valueOf(e.getMessage()).contains("SQLITE_BUSY")) {
                        try {
                            st.execute("ROLLBACK");
                        } catch (SQLException ignored) {
                            // No transaction left to end.
                        }
                        return;
                    }
                    throw e;
                }
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("the writer never reached PENDING");
    }

    @Test
    void errorInTheSecondReaderSurfacesLikeOneReadersAndLeavesNothingOpen() throws Exception {
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO v (id, x) SELECT i, i FROM n");
        // Segments of 100 keys from id 1: id 150 is in segment 1, which reader B reads; abs() of the smallest integer fails.
        String where = "CASE WHEN id = 150 THEN abs(-9223372036854775807 - 1) ELSE 1 END";
        SluiceException single = assertThrows(SluiceException.class, () -> one().checksum("v", null, where));
        Checksummer c = new Checksummer(t).parallel(1, 100);
        SluiceException e = assertThrows(SluiceException.class, () -> c.checksum("v", null, where));
        assertEquals(ErrorCode.SQL, e.code());
        assertEquals(single.getMessage(), e.getMessage());
        assertTrue(e.getMessage().contains("integer overflow"), e.getMessage());
        assertNothingLeftOpen();
        assertEquals(1000, twoReaders("v", null, null).rows(), "the tier still works");
    }

    @Test
    void cancelledTwoReaderChecksumStopsInOneLineAndLeavesNothingOpen() throws Exception {
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) INSERT INTO v (id, x) SELECT i, i FROM n");
        Checksummer c = new Checksummer(t).parallel(1, 1000);
        var running = CompletableFuture.supplyAsync(() -> c.checksum("v", null, "length(randomblob(20000)) > 0"));
        Thread.sleep(300);
        assertTrue(readerThreadsAlive(), "two readers are running");
        t.cancel();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
        SluiceException se = (SluiceException) e.getCause();
        assertEquals(ErrorCode.CANCELLED, se.code(), se.getMessage());
        assertEquals(1, se.getMessage().lines().count());
        assertNothingLeftOpen();
        Files.move(t.file(), t.file().resolveSibling("renamed.db")); // no handle of ours pins the old name's locks
        Files.move(t.file().resolveSibling("renamed.db"), t.file());
        assertEquals(200000, twoReaders("v", null, null).rows());
    }
}
