package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18: which way a diff compares (in SQLite with a file attached, streamed merge, bisection) and that all agree. */
class DiffMethodsTest {
    /** The table {@code odd "t}, quoted. */
    private static final String Q = "\"odd \"\"t\"";

    @TempDir
    Path dir;

    private Tier sqlite(String name, String journal) {
        return DataTiers.sqlite(name, dir.resolve(name + ".db"), Map.of("journal_mode", journal));
    }

    /** Values the checksum tells apart and a careless comparison would not: storage classes, NULL vs '', bytes. */
    private static void awkwardValues(Tier t) {
        t.script("CREATE TABLE " + Q + " (\"the key\" INTEGER PRIMARY KEY, v, \"select\" TEXT, b BLOB, r REAL); INSERT INTO " + Q
                + " VALUES (1, 1, '', x'00', 1.0), (2, 1, NULL, x'', 2.5), (3, '1', 'naïve 日本 🎉', NULL, -0.0),"
                + " (4, 1.0, 'Ab', x'ff', NULL), (5, NULL, 'same', x'01', 1e308), (6, 'x', 'k', x'0102', 3);");
    }

    @Test
    void sqliteFilesAreComparedInsideSqliteAndStorageClassesNullsAndBytesCount() {
        for (String[] journals : List.of(new String[]{"WAL", "DELETE"}, new String[]{"DELETE", "WAL"})) {
            try (Tier a = sqlite("a" + journals[0], journals[0]); Tier b = sqlite("b" + journals[0], journals[1])) {
                awkwardValues(a);
                awkwardValues(b);
                Diff same = TableDiff.diff(a.table("odd \"t"), b.table("odd \"t"));
                assertTrue(same.equal(), same.toString());
                assertTrue(same.method().startsWith("compared in SQLite over the key"), same.method());
                assertNull(same.hashA(), "no hash without reading: " + same);
                b.exec("UPDATE " + Q + " SET v = 1.0 WHERE \"the key\" = 1");      // integer → real: 1 IS 1.0
                b.exec("UPDATE " + Q + " SET \"select\" = '' WHERE \"the key\" = 2"); // NULL → ''
                b.exec("UPDATE " + Q + " SET v = 1 WHERE \"the key\" = 3");        // '1' → 1
                b.exec("UPDATE " + Q + " SET \"select\" = 'ab' WHERE \"the key\" = 4"); // case only
                b.exec("UPDATE " + Q + " SET b = CAST(b AS TEXT) WHERE \"the key\" = 5"); // blob → text, same bytes
                b.exec("DELETE FROM " + Q + " WHERE \"the key\" = 6");
                b.exec("INSERT INTO " + Q + " VALUES (-7, 'ü', 'ü', x'', 0.0)");
                Diff d = TableDiff.diff(a.table("odd \"t"), b.table("odd \"t"));
                assertFalse(d.equal());
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), d.changed(), d.toString());
                assertEquals(List.of(6L), d.removed(), d.toString());
                assertEquals(List.of(-7L), d.added(), d.toString());
                assertTrue(d.method().contains("attached"), d.method());
                assertTrue(d.toString().contains("method: compared in SQLite"), d.toString());
                // The merge and the bisection see exactly the same differences.
                for (TableDiff.Way w : List.of(TableDiff.Way.MERGE, TableDiff.Way.BISECTION)) {
                    Diff o = TableDiff.diff(a.table("odd \"t"), b.table("odd \"t"), w);
                    assertEquals(d.changed(), o.changed(), w + ": " + o);
                    assertEquals(d.removed(), o.removed(), w + ": " + o);
                    assertEquals(d.added(), o.added(), w + ": " + o);
                }
                // -0.0 and 0.0 are one value to the checksum, and so to the diff.
                a.exec("INSERT INTO " + Q + " VALUES (8, NULL, NULL, NULL, -0.0)");
                b.exec("INSERT INTO " + Q + " VALUES (8, NULL, NULL, NULL, 0.0)");
                assertEquals(d.changed(), TableDiff.diff(a.table("odd \"t"), b.table("odd \"t")).changed());
            }
        }
    }

    @Test
    void manyDifferencesGiveTheSameAnswerByEveryWayAndNameIt() {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) "
                    + "INSERT INTO t SELECT i, 'n' || i, i / 3.0, CASE WHEN i % 4 = 0 THEN NULL ELSE randomblob(6) END FROM n;");
            TableCopy.copy(a, "t", b, CopyOptions.defaults());
            b.exec("UPDATE t SET score = score + 1 WHERE id % 10 = 3");      // 6,000 changed, all over the table
            b.exec("DELETE FROM t WHERE id % 1000 = 7");                    // 60 removed
            b.exec("INSERT INTO t SELECT id + 100000, name, score, data FROM t WHERE id % 2000 = 1"); // 30 added
            Diff attached = TableDiff.diff(a.table("t"), b.table("t"));
            Diff merge = TableDiff.diff(a.table("t"), b.table("t"), TableDiff.Way.MERGE);
            Diff bisection = TableDiff.diff(a.table("t"), b.table("t"), TableDiff.Way.BISECTION);
            assertTrue(attached.method().startsWith("compared in SQLite over id"), attached.method());
            assertTrue(merge.method().startsWith("streamed merge over id"), merge.method());
            assertTrue(bisection.method().startsWith("bisection over id"), bisection.method());
            for (Diff d : List.of(merge, bisection)) {
                assertEquals(attached.changed(), d.changed(), d.method());
                assertEquals(attached.removed(), d.removed(), d.method());
                assertEquals(attached.added(), d.added(), d.method());
            }
            assertEquals(6_000, attached.changed().size());
            assertEquals(60, attached.removed().size());
            assertEquals(30, attached.added().size());
            assertEquals(120_000 - 60 + 30, merge.rowsRead(), "one read of each side: " + merge);
        }
    }

    @Test
    void uncommittedWritesInsideATransactionAreSeenOnEitherSide() {
        try (Tier a = sqlite("a", "WAL"); Tier b = sqlite("b", "DELETE")) {
            for (Tier t : List.of(a, b)) {
                t.script("CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER); INSERT INTO k VALUES ('x', 1), ('y', 2), ('ž', 3);");
            }
            b.begin();
            b.exec("UPDATE k SET v = 20 WHERE code = 'y'");
            b.exec("INSERT INTO k VALUES ('z', 4)");
            Diff d = TableDiff.diff(a.table("k"), b.table("k"));
            assertEquals(List.of("y"), d.changed(), d.toString());
            assertEquals(List.of("z"), d.added(), d.toString());
            assertTrue(d.method().contains("attached to tier 'b'"), "runs on the side with the writes: " + d.method());
            a.begin();
            a.exec("DELETE FROM k WHERE code = 'ž'");
            a.exec("INSERT INTO k VALUES ('w', 9)");
            Diff both = TableDiff.diff(a.table("k"), b.table("k"));
            assertEquals(List.of("w"), both.removed(), both.toString());
            assertEquals(List.of("z", "ž"), both.added(), "in byte order: " + both);
            assertEquals(List.of("y"), both.changed(), both.toString());
            assertTrue(both.method().startsWith("streamed merge over code (both tiers have uncommitted writes"), both.method());
            a.rollback();
            b.rollback();
            assertTrue(TableDiff.diff(a.table("k"), b.table("k")).equal());
            assertEquals(1, a.query("SELECT count(*) FROM pragma_database_list").value() instanceof Number n ? n.intValue() : -1,
                    "nothing left attached once the transactions ended");
        }
    }

    @Test
    void aReadOnlyTierIsComparedWithoutWritingAnything() throws Exception {
        try (Tier w = sqlite("ro", "WAL"); Tier b = sqlite("b", "DELETE")) {
            for (Tier t : List.of(w, b)) {
                t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
            }
            b.exec("UPDATE t SET v = 'B' WHERE id = 2");
            w.exec("PRAGMA journal_mode = DELETE"); // a read-only connection cannot open a WAL file without its -shm
        }
        Path f = dir.resolve("ro.db");
        long modified = java.nio.file.Files.getLastModifiedTime(f).toMillis();
        try (Tier ro = Tier.open(new TierConfig("ro", "jdbc:sqlite:" + f, null, null, Map.of(), true, false, false, f), false);
             Tier b = DataTiers.sqlite("b", dir.resolve("b.db"), Map.of())) {
            Diff d = TableDiff.diff(ro.table("t"), b.table("t"));
            assertEquals(List.of(2L), d.changed(), d.toString());
            assertTrue(d.method().startsWith("compared in SQLite"), d.method());
            Diff back = TableDiff.diff(b.table("t"), ro.table("t"));
            assertEquals(List.of(2L), back.changed(), back.toString());
        }
        assertEquals(modified, java.nio.file.Files.getLastModifiedTime(f).toMillis());
    }

    @Test
    void sqliteAgainstPostgresStreamsAMergeAndMatchesBisection() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            DiffTest.fill(a);
            TableCopy.copy(a, "t", w, CopyOptions.defaults());
            DiffTest.plant(w);
            Diff merge = TableDiff.diff(a.table("t"), w.table("t"));
            assertTrue(merge.method().startsWith("streamed merge over id (not SQLite on both sides; SQLite segment hashes"), merge.method());
            Diff bisection = TableDiff.diff(a.table("t"), w.table("t"), TableDiff.Way.BISECTION);
            assertEquals(bisection.added(), merge.added());
            assertEquals(bisection.removed(), merge.removed());
            assertEquals(bisection.changed(), merge.changed());
            assertEquals(List.of(7L, 100001L), merge.added());
        }
    }
}
