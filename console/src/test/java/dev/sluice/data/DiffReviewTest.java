package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review findings on the diff engine: NULL keys, locks inside a transaction, merge memory, key order, storage classes. */
class DiffReviewTest {
    @TempDir
    Path dir;

    private Tier sqlite(String name, String journal) {
        return DataTiers.sqlite(name, dir.resolve(name + ".db"), Map.of("journal_mode", journal));
    }

    private static final List<Object> NULL_KEY = Arrays.asList((Object) null);

    /** Below {@link AttachedCompare#SPLIT_MIN_ROWS}: one range (a NULL key was a false removed + added). */
    @Test
    void nullKeysOfASmallRowidTableAreCompared() {
        nullKeys(999);
    }

    /** Past it: integer key ranges (NULL-key rows were left out: "equal"). */
    @Test
    void nullKeysOfASplitRowidTableAreCompared() {
        nullKeys(1_500);
    }

    /** {@code rows} in all, one of them with a NULL key, on both sides. */
    private void nullKeys(int rows) {
        for (String type : List.of("INT", "BIGINT")) {
            String what = rows + " rows, " + type + " PRIMARY KEY";
            try (Tier a = sqlite("a" + rows + type, "WAL"); Tier b = sqlite("b" + rows + type, "DELETE")) {
                for (Tier t : List.of(a, b)) {
                    t.script("CREATE TABLE t (id " + type + " PRIMARY KEY, v TEXT); "
                            + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + (rows - 1) + ") "
                            + "INSERT INTO t SELECT i, 'v' || i FROM n;");
                }
                a.exec("INSERT INTO t VALUES (NULL, 'null on a')");
                b.exec("INSERT INTO t VALUES (NULL, 'null on b')");
                Diff d = TableDiff.diff(a.table("t"), b.table("t"));
                assertFalse(d.equal(), what + ": " + d);
                assertEquals(NULL_KEY, d.changed(), what + ": " + d);
                assertEquals(List.of(), d.removed(), what + ": " + d);
                assertEquals(List.of(), d.added(), what + ": " + d);
                assertTrue(d.method().startsWith("streamed merge over id (NULL keys in"), d.method());
                Diff bisection = TableDiff.diff(a.table("t"), b.table("t"), TableDiff.Way.BISECTION);
                assertEquals(NULL_KEY, bisection.changed(), what + ": " + bisection);
                // Both tables on one connection (one tier): the bisection's first range holds the NULL keys.
                a.script("CREATE TABLE t2 (id " + type + " PRIMARY KEY, v TEXT); INSERT INTO t2 SELECT * FROM t;");
                a.exec("UPDATE t2 SET v = 'other' WHERE id IS NULL");
                Diff one = TableDiff.diff(a.table("t"), a.table("t2"));
                assertEquals(NULL_KEY, one.changed(), what + ": " + one);
                assertTrue(one.method().startsWith("bisection over id (NULL keys in"), one.method());
                // The same NULL-key row on both sides is equal; a second one only in a is removed.
                b.exec("UPDATE t SET v = 'null on a' WHERE id IS NULL");
                assertTrue(TableDiff.diff(a.table("t"), b.table("t")).equal(), what);
                a.exec("INSERT INTO t VALUES (NULL, 'second')");
                Diff more = TableDiff.diff(a.table("t"), b.table("t"));
                assertEquals(NULL_KEY, more.removed(), what + ": " + more);
                assertEquals(List.of(), more.changed(), what + ": " + more);
            }
        }
    }

    /**
     * The row test leaves the key out only where both keys are rowids (always integers). A WITHOUT ROWID table's INTEGER
     * key can hold -9223372036854775808.0 as a REAL, which the join's = matches with the integer: its class still counts.
     */
    @Test
    void aKeyThatIsNotARowidStillHasItsStorageClassCompared() {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (-9223372036854775808, 'x'), (1, 'y');");
            b.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID; INSERT INTO t VALUES (-9223372036854775808.0, 'x'), (1, 'y');");
            assertEquals("real", b.query("SELECT typeof(id) FROM t WHERE v = 'x'").value(), "the REAL stayed a REAL");
            Diff d = TableDiff.diff(a.table("t"), b.table("t"));
            assertTrue(d.method().startsWith("compared in SQLite"), d.method());
            assertEquals(1, d.changed().size(), d.toString());
        }
    }

    @Test
    void aDiffInsideATransactionLeavesARollbackJournalTierFreeForWriters() throws Exception {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            for (Tier t : List.of(a, b)) {
                t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z');");
            }
            b.exec("UPDATE t SET v = 'Y' WHERE id = 2");
            // Without writes of its own, a's transaction leaves the comparison to b's connection (a's WAL file attached).
            a.begin();
            a.query("SELECT count(*) FROM t");
            Diff read = TableDiff.diff(a.table("t"), b.table("t"));
            writeFromAnotherConnection(dir.resolve("b.db"), "UPDATE t SET v = 'w1' WHERE id = 3");
            assertEquals(List.of(2L), read.changed(), read.toString());
            assertTrue(read.method().contains("a.db attached to tier 'b'"), read.method());
            a.rollback();
            // With writes of its own, only a's connection sees them: b's rollback-journal file is then not attached there.
            a.begin();
            a.exec("UPDATE t SET v = 'X' WHERE id = 1");
            Diff pending = TableDiff.diff(a.table("t"), b.table("t"));
            writeFromAnotherConnection(dir.resolve("b.db"), "UPDATE t SET v = 'w2' WHERE id = 3");
            assertEquals(List.of(1L, 2L, 3L), pending.changed(), pending.toString());
            assertTrue(pending.method().startsWith("streamed merge over id (tier 'a' is in a transaction and b.db is not in WAL mode"),
                    pending.method());
            a.rollback();
            assertEquals("w2", b.query("SELECT v FROM t WHERE id = 3").value());
        }
    }

    private static void writeFromAnotherConnection(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 200");
            assertDoesNotThrow(() -> st.executeUpdate(sql), "a writer of " + file.getFileName() + " while the diff's transaction is open");
        }
    }

    @Test
    void aStreamedMergeOfMegabyteBlobsHoldsAtMostItsByteLimit() {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            for (Tier t : List.of(a, b)) {
                t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB); "
                        + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150) "
                        + "INSERT INTO t SELECT i, zeroblob(1048576) FROM n;");
            }
            b.exec("UPDATE t SET data = zeroblob(1048577) WHERE id = 50");
            b.exec("DELETE FROM t WHERE id = 100");
            b.exec("INSERT INTO t VALUES (300, zeroblob(10))");
            long limit = 3L << 20;
            Diff d = TableDiff.diff(a.table("t"), b.table("t"), TableDiff.Way.MERGE, limit);
            assertEquals(List.of(50L), d.changed(), d.toString());
            assertEquals(List.of(100L), d.removed(), d.toString());
            assertEquals(List.of(300L), d.added(), d.toString());
            var cols = a.columns("t");
            List<Object> found = new ArrayList<>();
            long[] r = StreamedMerge.run(a.table("t"), cols, "id", false, b.table("t"), b.columns("t"), "id", false,
                    (kind, key) -> found.add(kind + ":" + key), null, limit);
            assertEquals(List.of("1:50", "0:100", "2:300"), found);
            assertEquals(150, r[0]);
            assertEquals(150, r[1]);
            for (int side : new int[]{2, 3}) {
                assertTrue(r[side] <= limit, "side held " + r[side] + " bytes, limit " + limit);
                assertTrue(r[side] >= 1L << 20, "a row at least: " + r[side]);
            }
        }
    }

    @Test
    void keysCompareAsTheDatabaseOrdersThem() {
        assertEquals(0, TableDiff.compareKeys(-0.0, 0.0));
        assertTrue(TableDiff.compareKeys(new BigDecimal("1.1"), new BigDecimal("1.2")) < 0);
        assertEquals(0, TableDiff.compareKeys(new BigDecimal("1.10"), new BigDecimal("1.1")));
        assertTrue(TableDiff.compareKeys(new BigDecimal("1e20"), Long.MAX_VALUE) > 0);
        assertTrue(TableDiff.compareKeys(new BigDecimal("-1e20"), Long.MIN_VALUE) < 0);
        assertTrue(TableDiff.compareKeys(Double.NaN, 1.0) > 0);
    }

    @Test
    void numericKeysInPostgresAreMergedExactly() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE na (k numeric PRIMARY KEY, v text)");
                st.execute("CREATE TABLE nb (k numeric PRIMARY KEY, v text)");
                st.execute("INSERT INTO na VALUES (1.1, 'x'), (1.2, 'y'), (1.3, 'z'), (100000000000000000000, 'big'), "
                        + "(100000000000000000001, 'big2')");
                st.execute("INSERT INTO nb VALUES (1.1, 'x'), (1.25, 'y'), (1.3, 'zz'), (100000000000000000000, 'big'), "
                        + "(100000000000000000001, 'other')");
            }
            try (Tier x = pgTier("pa", pg); Tier y = pgTier("pb", pg)) {
                for (TableDiff.Way w : List.of(TableDiff.Way.MERGE, TableDiff.Way.BISECTION)) {
                    Diff d = TableDiff.diff(x.table("na"), y.table("nb"), w);
                    assertEquals("[1.2]", d.removed().toString(), w + ": " + d);
                    assertEquals("[1.25]", d.added().toString(), w + ": " + d);
                    assertEquals("[1.3, 100000000000000000001]", d.changed().toString(), w + ": " + d);
                }
            }
        }
    }

    @Test
    void anUntypedSqliteKeyMergesAgainstAPostgresBigint() throws Exception {
        try (Postgres pg = Postgres.schema(); Tier a = sqlite("a", "WAL")) {
            a.script("CREATE TABLE u (k PRIMARY KEY, v TEXT); INSERT INTO u VALUES (1, 'a'), (2, 'b'), (10, 'c');");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE u (k bigint PRIMARY KEY, v text)");
                st.execute("INSERT INTO u VALUES (1, 'a'), (2, 'B'), (10, 'c'), (11, 'd')");
            }
            try (Tier w = pgTier("warehouse", pg)) {
                Diff d = TableDiff.diff(a.table("u"), w.table("u"));
                assertTrue(d.method().startsWith("streamed merge over k"), d.method());
                assertEquals(List.of(2L), d.changed(), d.toString());
                assertEquals(List.of(11L), d.added(), d.toString());
                Diff back = TableDiff.diff(w.table("u"), a.table("u"));
                assertEquals(List.of(11L), back.removed(), back.toString());
            }
        }
    }

    private static Tier pgTier(String name, Postgres pg) {
        return Tier.open(new TierConfig(name, pg.url(), Postgres.USER, null, Map.of(), false, false, false, null), true);
    }

    @Test
    void aRealBeyondTheIntegerRangeInAnIntegerColumnIsAChange() {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            for (Tier t : List.of(a, b)) {
                t.script("CREATE TABLE m (id INTEGER PRIMARY KEY, n INTEGER, x NUMERIC); "
                        + "INSERT INTO m VALUES (1, -9223372036854775808, 0), (2, 0, -9223372036854775808), (3, 5, 5);");
            }
            b.exec("UPDATE m SET n = -9223372036854775808.0 WHERE id = 1");
            b.exec("UPDATE m SET x = -9223372036854775808.0 WHERE id = 2");
            assertEquals("real", b.query("SELECT typeof(n) FROM m WHERE id = 1").value(), "SQLite keeps it REAL");
            assertEquals("real", b.query("SELECT typeof(x) FROM m WHERE id = 2").value(), "SQLite keeps it REAL");
            Diff d = TableDiff.diff(a.table("m"), b.table("m"));
            assertTrue(d.method().startsWith("compared in SQLite"), d.method());
            assertEquals(List.of(1L, 2L), d.changed(), d.toString());
            assertEquals(d.changed(), TableDiff.diff(a.table("m"), b.table("m"), TableDiff.Way.MERGE).changed());
        }
    }
}
