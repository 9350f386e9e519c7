package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffTest {
    static final int ROWS = 20_000;

    @TempDir
    Path dir;

    static void fill(Tier t) {
        t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB); "
                + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") "
                + "INSERT INTO t SELECT i * 2, 'name ' || i, i / 7.0, CASE WHEN i % 5 = 0 THEN NULL ELSE randomblob(8) END FROM n;");
    }

    /** Plants 2 added, 3 removed and 4 changed keys into b. */
    static void plant(Tier b) {
        b.exec("INSERT INTO t VALUES (7, 'in a gap', 1.0, NULL)");
        b.exec("INSERT INTO t VALUES (100001, 'after the end', 2.0, ?)", (Object) new byte[]{1});
        b.exec("DELETE FROM t WHERE id IN (2, 20000, 39998)");
        b.exec("UPDATE t SET name = 'changed' WHERE id = 4");
        b.exec("UPDATE t SET score = score + 1e-12 WHERE id = 10000");
        b.exec("UPDATE t SET data = NULL WHERE id = 30002");
        b.exec("UPDATE t SET name = NULL WHERE id = 40000");
    }

    private static void assertPlanted(Diff d) {
        assertFalse(d.equal());
        assertEquals(List.of(7L, 100001L), d.added(), d.toString());
        assertEquals(List.of(2L, 20000L, 39998L), d.removed(), d.toString());
        assertEquals(Set.of(4L, 10000L, 30002L, 40000L), new TreeSet<>(d.changed()), d.toString());
        assertTrue(d.rowsRead() * 5 < d.fullComparisonRows(), "read " + d.rowsRead() + " of " + d.fullComparisonRows());
    }

    @Test
    void diffFindsExactlyThePlantedKeysBetweenSqliteFilesReadingFarLessThanAFullComparison() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            fill(a);
            TableCopy.copy(a, "t", b, CopyOptions.defaults());
            Diff same = TableDiff.diff(a.table("t"), b.table("t"));
            assertTrue(same.equal(), same.toString());
            assertEquals(0, same.rowsRead());
            plant(b);
            assertPlanted(TableDiff.diff(a.table("t"), b.table("t")));
            Diff fine = TableDiff.diff(a.table("t"), b.table("t"), 50, 16);
            assertPlanted(fine);
            assertTrue(fine.rowsRead() * 50 < fine.fullComparisonRows(), fine.toString());
        }
    }

    @Test
    void diffWorksBetweenSqliteAndPostgres() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            fill(a);
            DataTiers.awkward(a);
            TableCopy.copy(a, "t", w, CopyOptions.defaults());
            for (String t : List.of("my \"table\"", "nopk")) {
                TableCopy.copy(a, t, w, CopyOptions.defaults());
                Diff d = TableDiff.diff(a.table(t), w.table(t));
                assertTrue(d.equal(), "awkward rows hash alike in both engines: " + d);
            }
            assertTrue(TableDiff.diff(a.table("t"), w.table("t")).equal());
            plant(w);
            assertPlanted(TableDiff.diff(a.table("t"), w.table("t"), TableDiff.Way.BISECTION)); // auto merges here (DiffMethodsTest)
        }
    }

    @Test
    void aTableWithoutSingleKeyIsComparedOnDiskPastTheMemoryLimitWithTheSameResult() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            for (Tier t : List.of(a, b)) {
                t.script("CREATE TABLE link (x INTEGER, y TEXT, w BLOB, PRIMARY KEY (x, y)); "
                        + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
                        + "INSERT INTO link SELECT i % 97, 'y' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE zeroblob(i % 5) END FROM n;");
            }
            b.exec("DELETE FROM link WHERE y IN ('y5', 'y29999')");
            b.exec("INSERT INTO link VALUES (-1, 'new', x'00ff')");
            b.exec("UPDATE link SET w = x'01' WHERE y = 'y1000'"); // a change is a removed row plus an added one
            Diff inMemory = TableDiff.diff(a.table("link"), b.table("link"));
            Diff onDisk = TableDiff.diff(a.table("link"), b.table("link"), 4096); // spills after a few dozen rows
            assertEquals(3, inMemory.removed().size(), inMemory.toString());
            assertEquals(2, inMemory.added().size(), inMemory.toString());
            assertEquals(inMemory.removed(), onDisk.removed());
            assertEquals(inMemory.added(), onDisk.added());
            assertEquals(60_000 - 2 + 1, onDisk.rowsRead());
            assertTrue(onDisk.removed().stream().anyMatch(r -> r.toString().contains("y29999")), onDisk.toString());
        }
    }

    @Test
    void wholeRowMultisetsKeepDuplicatesAndSpillToDisk() {
        for (long limit : List.of(1L << 20, 64L)) {
            try (WholeRows rows = new WholeRows(limit)) {
                for (String r : List.of("a", "a", "b", "c")) {
                    rows.add(0, r.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                for (String r : List.of("a", "c", "c", "d")) {
                    rows.add(1, r.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                List<String> out = new java.util.ArrayList<>();
                rows.merge((side, row) -> out.add(side + ":" + new String(row, java.nio.charset.StandardCharsets.UTF_8)));
                assertEquals(List.of("0:a", "0:b", "1:c", "1:d"), out, "limit " + limit);
                assertEquals(limit == 64L, rows.spilled(), "limit " + limit);
            }
        }
    }

    @Test
    void keyListsAreCutWhenEverythingDiffersButCountedInFull() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) INSERT INTO t SELECT i, 'v' FROM n;");
            b.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
            Diff d = TableDiff.diff(a.table("t"), b.table("t"));
            assertEquals(TableDiff.LISTED, d.removed().size());
            assertTrue(d.method().contains("12,000 removed"), d.method());
        }
    }

    @Test
    void textKeysAndTablesWithoutKeyAreCompared() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            a.script("CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO k SELECT printf('c%05d', i), i FROM n;");
            DataTiers.awkward(a);
            TableCopy.copy(a, "k", b, CopyOptions.defaults());
            TableCopy.copy(a, "nopk", b, CopyOptions.defaults());
            b.exec("UPDATE k SET v = 0 WHERE code = 'c02500'");
            b.exec("DELETE FROM k WHERE code = 'c00001'");
            Diff d = TableDiff.diff(a.table("k"), b.table("k"), 100, 8);
            assertEquals(List.of("c02500"), d.changed(), d.toString());
            assertEquals(List.of("c00001"), d.removed(), d.toString());
            b.exec("DELETE FROM nopk WHERE a IS NULL");
            Diff n = TableDiff.diff(a.table("nopk"), b.table("nopk"));
            assertEquals(1, n.removed().size(), n.toString());
            assertEquals(0, n.added().size(), n.toString());
        }
    }

    @Test
    void spotCheckReportsAPlantedDifferenceFieldByField() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO t SELECT i, 'n' || i, i * 1.5 FROM n;");
            TableCopy.copy(a, "t", b, CopyOptions.defaults());
            SpotCheck clean = SpotChecks.check(a, b, "t", 10, new Random(1));
            assertTrue(clean.ok(), clean.toString());
            assertEquals(10, clean.keys().size());
            b.exec("UPDATE t SET name = 'planted', score = 0 WHERE id = 17");
            b.exec("DELETE FROM t WHERE id = 3");
            SpotCheck s = SpotChecks.check(a, b, "t", 40, new Random(7));
            assertFalse(s.ok());
            assertEquals(List.of(new SpotCheck.FieldDifference(17L, "name", "n17", "planted"),
                    new SpotCheck.FieldDifference(17L, "score", 25.5, 0.0)), s.differences(), s.toString());
            assertEquals(List.of(3L), s.missing());
            assertTrue(s.toString().contains("key 17, name: 'n17' ≠ 'planted'"), s.toString());
        }
    }
}
