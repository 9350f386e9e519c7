package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyTest {
    @TempDir
    Path dir;

    @Test
    void awkwardTablesCopyBetweenSqliteFilesWithMatchingChecksums() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            for (String t : List.of("my \"table\"", "nopk")) {
                CopyResult r = TableCopy.copy(a, t, b, CopyOptions.defaults());
                assertTrue(r.verified(), r.toString());
                assertEquals(a.checksum(t), b.checksum(t));
                assertEquals(a.count(t), r.rows());
            }
            assertTrue(b.hasIndex("ix \"order\"") && b.hasIndex("ix_note"), b.schema("my \"table\""));
            assertTrue(b.schema("my \"table\"").contains("AUTOINCREMENT"), b.schema("my \"table\""));
            assertEquals(List.of(), b.query("PRAGMA database_list").rows().stream().filter(r -> !r.get("name").equals("main")).toList());
        }
    }

    @Test
    void whereColumnsAndIntoCopyASelection() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            CopyResult r = TableCopy.copy(a, "my \"table\"", b,
                    CopyOptions.defaults().into("picked").where("id > 1").columns(List.of("id", "order", "data")));
            assertTrue(r.verified(), r.toString());
            assertEquals(3, r.rows());
            assertEquals(a.checksum("my \"table\"", List.of("id", "order", "data"), "id > 1"), b.checksum("picked"));
        }
    }

    @Test
    void failedCopyLeavesTheTargetAsItWas() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            a.script("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO other VALUES (1, 'x'), (2, 'y');");
            b.script("CREATE TABLE other (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO other VALUES (2, 'already here');");
            Checksum before = b.checksum("other");
            // nopk copies fine first, then 'other' collides on id 2: neither may remain.
            SluiceException e = assertThrows(SluiceException.class, () -> TableCopy.consolidate(b,
                    List.of(new TableRef(a, "nopk"), new TableRef(a, "other")), CopyOptions.defaults()));
            assertTrue(e.getMessage().contains("UNIQUE") || e.getMessage().contains("PRIMARY KEY"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertFalse(b.hasTable("nopk"));
            assertEquals(before, b.checksum("other"));
            assertFalse(b.inTransaction());
        }
    }

    @Test
    void copyInsideAnOpenTransactionIsUndoneWithItAndKeepsItUsable() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            b.exec("CREATE TABLE log (m TEXT)");
            b.begin();
            b.exec("INSERT INTO log VALUES ('step ran')");
            CopyResult r = TableCopy.copy(a, "nopk", b, CopyOptions.defaults());
            assertTrue(r.verified(), r.toString());
            assertThrows(SluiceException.class, () -> TableCopy.copy(a, "nopk", b, CopyOptions.defaults().where("no_such_column = 1")));
            assertTrue(b.inTransaction());
            assertEquals(4L, b.count("nopk"));
            b.rollback();
            assertFalse(b.hasTable("nopk"));
            assertEquals(0L, b.count("log"));
            // The next standalone copy detaches what the in-transaction one had to leave attached.
            TableCopy.copy(a, "nopk", b, CopyOptions.defaults());
            assertEquals(1, b.query("PRAGMA database_list").size());
        }
    }

    @Test
    void sourceWithUncommittedWritesIsStreamedSoTheyAreIncluded() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            a.begin();
            a.exec("INSERT INTO nopk VALUES ('uncommitted', 7, 7.5)");
            CopyResult r = TableCopy.copy(a, "nopk", b, CopyOptions.defaults());
            assertEquals(5, r.rows());
            assertTrue(r.method().startsWith("streamed"), r.method());
            a.rollback();
        }
    }

    @Test
    void largeCopyIntoWalTargetLoadsWithRollbackJournalAndAnnouncesIt() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db"));
             Tier b = DataTiers.sqlite("b", dir.resolve("b.db"), Map.of("journal_mode", "WAL"))) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t SELECT i, 'v' || i FROM n;");
            List<String> said = new ArrayList<>();
            CopyResult r = TableCopy.copy(a, "t", b, CopyOptions.defaults().walSwitchRows(1000).announce(said::add));
            assertTrue(r.verified());
            assertEquals(2, said.size(), said.toString());
            assertTrue(said.get(0).contains("WAL → DELETE"), said.get(0));
            assertEquals("wal", b.query("PRAGMA journal_mode").value());
        }
    }

    /**
     * Review finding: a WAL source whose own connection holds an older snapshot (a step read it first) while another
     * process commits. The copy reads the newest rows through ATTACH; the checksum recorded for both sides must be of
     * those rows, not of the source connection's older snapshot.
     */
    @Test
    void theRecordedChecksumIsOfTheRowsCopiedWhenTheSourceHoldsAnOlderSnapshot() throws Exception {
        try (Tier a = DataTiers.sqlite("a", dir.resolve("a.db"), Map.of("journal_mode", "WAL"));
             Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w BLOB); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                    + "INSERT INTO t SELECT i, 'v ü ' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE randomblob(8) END FROM n;");
            a.begin();
            assertEquals(2000L, ((Number) a.query("SELECT count(*) FROM t").value()).longValue()); // a's snapshot is fixed
            try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("a.db"))) {
                other.createStatement().execute("UPDATE t SET v = 'changed after the snapshot' WHERE id = 5");
            }
            CopyResult r = TableCopy.copy(a, "t", b, CopyOptions.defaults());
            a.rollback();
            assertTrue(r.verified(), r.toString());
            assertEquals("changed after the snapshot", b.query("SELECT v FROM t WHERE id = 5").value(), "the copy read the newest rows");
            Checksum copied = b.checksum("t");
            assertEquals(copied, r.targetChecksum(), "the target's recorded checksum is of the rows it holds");
            assertEquals(copied, r.sourceChecksum(), "and so is the source's: the rows the copy read");
            assertEquals(copied, a.checksum("t"));
        }
    }

    /** Review finding: keys declared with other collations sort otherwise, so one checksum cannot stand for both. */
    @Test
    void aTargetKeyedWithAnotherCollationIsVerifiedByTwoChecksums() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            a.script("CREATE TABLE k (code STRING PRIMARY KEY, v INTEGER) WITHOUT ROWID; "
                    + "INSERT INTO k VALUES ('b', 1), ('A', 2), ('c', 3), ('D', 4), ('é', 5);"); // BINARY: A D b c é; NOCASE: A b c D é
            b.exec("CREATE TABLE k (code STRING PRIMARY KEY COLLATE NOCASE, v INTEGER) WITHOUT ROWID");
            CopyResult r;
            try {
                r = TableCopy.copy(a, "k", b, CopyOptions.defaults());
            } catch (SluiceException e) {
                // The same rows in another key order: their checksums differ, so the two-checksum verification refuses.
                assertTrue(e.getMessage().contains("did not verify"), e.getMessage());
                assertEquals(0L, ((Number) b.query("SELECT count(*) FROM k").value()).longValue());
                return;
            }
            assertEquals(b.checksum("k"), r.targetChecksum(), "the recorded target checksum is the target's own: " + r);
        }
    }

    @Test
    void consolidationAppendsSeveralTiersIntoOneTable() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier c = DataTiers.sqlite(dir.resolve("c.db"));
             Tier w = DataTiers.sqlite(dir.resolve("w.db"))) {
            a.script("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO tasks VALUES (1, 'a1'), (2, 'a2');");
            c.script("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO tasks VALUES (10, 'c1');");
            List<CopyResult> rs = TableCopy.consolidate(w, List.of(new TableRef(a, "tasks"), new TableRef(c, "tasks")),
                    CopyOptions.defaults().into("all_tasks"));
            assertEquals(2, rs.size());
            assertTrue(rs.get(0).verified() && rs.get(1).verified(), rs.toString());
            assertEquals(3L, w.count("all_tasks"));
        }
    }

    // ---------------------------------------------------------------- issue 18: the proof in SQLite

    private static final String PROVED = "verified in SQLite";

    private static boolean proved(CopyResult r) {
        return r.notes().stream().anyMatch(n -> n.startsWith(PROVED));
    }

    /** Every value kind on the way: NULLs, unicode, empty and large blobs, -0.0, an odd identifier, gaps in the rowids. */
    private static void odd(Tier t) {
        t.script("""
                CREATE TABLE "we""ird tåble" (id INTEGER PRIMARY KEY, "sé lect" TEXT, b BLOB, r REAL, n NUMERIC, i INTEGER, any_ ANY_TYPE);
                WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000)
                INSERT INTO "we""ird tåble" SELECT i * 3, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ñ 日本 🎉 ' || i END,
                  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN x'' WHEN 2 THEN randomblob(i % 500) ELSE zeroblob(3) END,
                  CASE WHEN i % 5 = 0 THEN -0.0 ELSE i / 7.0 END, CASE WHEN i % 2 = 0 THEN i ELSE i + 0.5 END,
                  CASE WHEN i % 3 = 0 THEN 'text ' || i ELSE i END, CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 1.0 ELSE '1' END FROM k;
                CREATE TABLE nokey (a TEXT, b INTEGER, c REAL);
                INSERT INTO nokey VALUES ('a', 1, 0.5), ('a', 1, 0.5), (NULL, NULL, NULL), ('Ω', -9223372036854775808, 1e-300), ('z', 2, 2.0);
                DELETE FROM nokey WHERE a = 'a' AND rowid = 1;
                CREATE TABLE "kv wr" ("kéy" TEXT PRIMARY KEY, v BLOB, w REAL) WITHOUT ROWID;
                INSERT INTO "kv wr" VALUES ('b', x'00', 1.5), ('a', NULL, NULL), ('日本', randomblob(40), -0.0), ('', x'', 3.0);
                """);
    }

    @Test
    void aFreshCopyIsProvedInSqliteAndRecordsTheChecksumBothSidesGive() {
        for (String mode : List.of("DELETE", "WAL")) {
            Path d = dir.resolve(mode);
            try (Tier a = DataTiers.sqlite("a", d.resolve("a.db"), Map.of("journal_mode", mode));
                 Tier b = DataTiers.sqlite("b", d.resolve("b.db"), Map.of("journal_mode", mode))) {
                odd(a);
                DataTiers.awkward(a);
                for (String t : List.of("we\"ird tåble", "nokey", "kv wr", "my \"table\"", "nopk")) {
                    CopyResult r = TableCopy.copy(a, t, b, CopyOptions.defaults());
                    assertTrue(r.verified(), mode + " " + r);
                    // nokey lost its rowid 1, and SQLite's raw copy numbers the rows of a table without an INTEGER PRIMARY
                    // KEY or index afresh: rows cannot be paired by rowid, so two checksums decide instead.
                    assertEquals(!t.equals("nokey"), proved(r), mode + " " + t + ": " + r);
                    assertEquals(r.sourceChecksum(), r.targetChecksum(), r.toString());
                    assertEquals(a.checksum(t), r.sourceChecksum(), mode + " " + t);
                    assertEquals(b.checksum(t), r.targetChecksum(), mode + " " + t);
                    assertEquals(a.count(t), b.count(t));
                }
                assertEquals(mode.toLowerCase(), b.query("PRAGMA journal_mode").value());
            }
        }
    }

    @Test
    void aTargetWhoseColumnTypesChangeValuesIsRefusedAndRolledBack() {
        // Each pre-created (empty) target stores some source value differently: the proof must see it, the copy refuse.
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("CREATE TABLE v (id INTEGER PRIMARY KEY, x TEXT)", "CREATE TABLE v (id INTEGER PRIMARY KEY, x INTEGER)"); // '1.0' → 1
        cases.put("CREATE TABLE v (id INTEGER PRIMARY KEY, x REAL)", "CREATE TABLE v (id INTEGER PRIMARY KEY, x INTEGER)"); // 2.0 → 2
        cases.put("CREATE TABLE v (id INTEGER PRIMARY KEY, x INTEGER)", "CREATE TABLE v (id INTEGER PRIMARY KEY, x TEXT)"); // 7 → '7'
        cases.put("CREATE TABLE v (id INTEGER PRIMARY KEY, x)", "CREATE TABLE v (id INTEGER PRIMARY KEY, x REAL)"); // 3 → 3.0
        cases.put("CREATE TABLE v (k TEXT PRIMARY KEY, x TEXT) WITHOUT ROWID", "CREATE TABLE v (k TEXT PRIMARY KEY, x NUMERIC) WITHOUT ROWID");
        Map<String, String> rows = Map.of(
                "TEXT", "INSERT INTO v VALUES (1, 'same'), (2, '1.0'), (3, NULL)",
                "REAL", "INSERT INTO v VALUES (1, 0.5), (2, 2.0), (3, NULL)",
                "INTEGER", "INSERT INTO v VALUES (1, 7), (2, NULL)",
                "none", "INSERT INTO v VALUES (1, 'x'), (2, 3), (3, x'01')",
                "wr", "INSERT INTO v VALUES ('a', 'x'), ('b', '12'), ('c', NULL)");
        int n = 0;
        for (var c : cases.entrySet()) {
            Path d = dir.resolve("case" + n++);
            try (Tier a = DataTiers.sqlite(d.resolve("a.db")); Tier b = DataTiers.sqlite("b", d.resolve("b.db"), Map.of("journal_mode", n % 2 == 0 ? "WAL" : "DELETE"))) {
                a.exec(c.getKey());
                String kind = c.getKey().contains("WITHOUT") ? "wr" : c.getKey().contains("x TEXT") ? "TEXT" : c.getKey().contains("x REAL") ? "REAL"
                        : c.getKey().contains("x INTEGER") ? "INTEGER" : "none";
                a.exec(rows.get(kind));
                b.exec(c.getValue());
                SluiceException e = assertThrows(SluiceException.class, () -> TableCopy.copy(a, "v", b, CopyOptions.defaults()), c.getValue());
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
                assertTrue(e.getMessage().contains("did not verify") && e.getMessage().contains("first difference at key ")
                        && e.getMessage().contains("column x"), e.getMessage());
                assertTrue(e.getMessage().contains("Nothing was kept (rolled back)"), e.getMessage());
                assertEquals(0L, b.count("v"), c.getValue());
                assertFalse(b.inTransaction());
                assertEquals(1, b.query("PRAGMA database_list").size(), "source detached");
            }
        }
    }

    @Test
    void aTargetThatChangesRowsByTriggerIsRefused() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            odd(a);
            b.exec("CREATE TABLE nokey (a TEXT, b INTEGER, c REAL)");
            b.exec("CREATE TRIGGER up AFTER INSERT ON nokey BEGIN UPDATE nokey SET a = upper(a) WHERE rowid = new.rowid; END");
            SluiceException e = assertThrows(SluiceException.class, () -> TableCopy.copy(a, "nokey", b, CopyOptions.defaults()));
            assertTrue(e.getMessage().contains("did not verify"), e.getMessage());
            assertEquals(0L, b.count("nokey"));
        }
    }

    @Test
    void rowidsTheCopyRenumbersFallBackToTwoChecksums() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            odd(a); // nokey lost its rowid 1: a copy without the raw-copy shortcut numbers its rows from 1
            b.exec("CREATE TABLE nokey (a TEXT, b INTEGER, c REAL)");
            b.exec("CREATE INDEX extra ON nokey (c)"); // an index the source lacks: SQLite copies row by row
            CopyResult r = TableCopy.copy(a, "nokey", b, CopyOptions.defaults());
            assertTrue(r.verified(), r.toString());
            assertFalse(proved(r), r.toString());
            assertEquals(a.checksum("nokey"), r.sourceChecksum());
            assertEquals(b.checksum("nokey"), r.targetChecksum());
        }
    }

    @Test
    void anEmptyPrecreatedTargetOfTheSameShapeIsProvedToo() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            odd(a);
            b.exec("CREATE TABLE \"kv wr\" (\"kéy\" TEXT PRIMARY KEY, v BLOB, w DOUBLE) WITHOUT ROWID");
            CopyResult r = TableCopy.copy(a, "kv wr", b, CopyOptions.defaults());
            assertTrue(r.verified() && proved(r), r.toString());
            assertEquals(b.checksum("kv wr"), r.targetChecksum());
            assertEquals(a.checksum("kv wr"), r.sourceChecksum());
        }
    }
}
