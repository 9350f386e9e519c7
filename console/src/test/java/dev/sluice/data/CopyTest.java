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
}
