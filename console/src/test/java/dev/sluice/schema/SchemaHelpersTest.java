package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHelpersTest {
    @TempDir
    Path tmp;

    private Tier tier() {
        Tier t = Tier.open(TestWorkspaces.sqlite(tmp, "t").tier("t"), true);
        t.script("""
                CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, legacy TEXT);
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), note TEXT);
                CREATE INDEX idx_parent_name ON parent(name);
                CREATE TRIGGER parent_upper AFTER INSERT ON parent BEGIN UPDATE parent SET name = upper(name) WHERE id = new.id; END;
                CREATE VIEW parent_names AS SELECT name FROM parent;
                INSERT INTO parent (name, legacy) VALUES ('a', 'x'), ('b', 'y'), ('c', 'z');
                DELETE FROM parent WHERE id = 3;
                INSERT INTO child (parent_id, note) VALUES (1, 'one'), (2, 'two');
                """);
        return t;
    }

    @Test
    void helpersRunTwiceChangeNothingTheSecondTime() {
        try (Tier t = tier()) {
            assertTrue(Schema.createTable(t, "CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY)").changed());
            assertFalse(Schema.createTable(t, "CREATE TABLE health (id INTEGER PRIMARY KEY)").changed());
            assertTrue(Schema.addColumn(t, "parent", "status TEXT DEFAULT 'open'").changed());
            assertFalse(Schema.addColumn(t, "parent", "STATUS TEXT DEFAULT 'open'").changed());
            assertTrue(Schema.createIndex(t, "CREATE INDEX idx_parent_status ON parent(status)").changed());
            assertFalse(Schema.createIndex(t, "CREATE INDEX IF NOT EXISTS idx_parent_status ON parent(status)").changed());
            assertEquals("open", t.query("SELECT status FROM parent WHERE id = 1").value());
        }
    }

    @Test
    void rebuildDropsAColumnKeepingIndexesTriggersViewsAndSequence() {
        try (Tier t = tier()) {
            String ddl = "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)";
            SchemaChange c = Schema.rebuild(t, "parent", ddl, Map.of());
            assertTrue(c.changed(), c.toString());
            assertFalse(t.hasColumn("parent", "legacy"));
            assertTrue(t.hasIndex("idx_parent_name"));
            assertEquals(1L, ((Number) t.query("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'parent_upper'").value()).longValue());
            assertEquals(2, t.query("SELECT * FROM parent_names").size());
            assertEquals(3L, ((Number) t.query("SELECT seq FROM sqlite_sequence WHERE name = 'parent'").value()).longValue());
            assertTrue(t.foreignKeyCheck().ok());
            assertFalse(Schema.rebuild(t, "parent", ddl, Map.of()).changed(), "twice changes nothing");
            t.exec("INSERT INTO parent (name) VALUES ('d')");
            assertEquals(4L, ((Number) t.query("SELECT id FROM parent WHERE name = 'D'").value()).longValue(), "trigger and sequence still work");
        }
    }

    @Test
    void rebuildThatWouldBreakForeignKeysIsRolledBack() {
        try (Tier t = tier()) {
            t.begin();
            SluiceException e = assertThrows(SluiceException.class, () -> Schema.rebuild(t, "parent",
                    "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)", Map.of("id", "id + 100")));
            assertTrue(e.getMessage().contains("breaks foreign keys"), e.getMessage());
            t.rollback();
            assertTrue(t.hasColumn("parent", "legacy"));
        }
    }

    @Test
    void declaredNamesAreReadPastCommentsInEveryQuoting() {
        java.util.function.BiFunction<String, String, String> named = (sql, object) ->
                Schema.declaredName(dev.sluice.tier.SqlLexer.code(sql, dev.sluice.workspace.Engine.SQLITE), object);
        assertEquals("a b", named.apply("/* CREATE TABLE x */ CREATE TABLE IF NOT EXISTS main.\"a b\" (id)", "TABLE"));
        assertEquals("we`ird", named.apply("CREATE TABLE `we``ird` (id)", "TABLE"));
        assertEquals("ix", named.apply("CREATE UNIQUE INDEX -- note\n [ix] ON t(a)", "INDEX"));
        assertEquals("status", named.apply("status TEXT DEFAULT 'open'", null));
        assertEquals(null, named.apply("CREATE VIEW v AS SELECT 1", "TABLE"));
        assertEquals("CREATE TABLE t (note TEXT DEFAULT 'if not exists')", Schema.withoutIfNotExists(dev.sluice.workspace.Engine.SQLITE,
                "CREATE TABLE IF NOT EXISTS t (note TEXT DEFAULT 'if not exists')"));
        assertEquals("CREATE /* if not exists */ TABLE t (a)", Schema.withoutIfNotExists(dev.sluice.workspace.Engine.SQLITE,
                "CREATE /* if not exists */ TABLE t (a)"));
    }
}
