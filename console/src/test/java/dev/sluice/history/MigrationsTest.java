package dev.sluice.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path tmp;

    /** Regression (seed 004 review): "user" is reserved in PostgreSQL, and the record table named a column so. */
    @Test
    void migrateWorksOnAPostgresqlTier() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg-migrations"));
        Files.writeString(dir.resolve("001_core.sql"), "CREATE TABLE IF NOT EXISTS core (id BIGINT PRIMARY KEY);\n");
        Files.writeString(dir.resolve("002_more.sql"), "ALTER TABLE core ADD COLUMN IF NOT EXISTS label TEXT;\n");
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema();
             Tier t = Tier.open(new dev.sluice.workspace.TierConfig("warehouse", pg.url(), dev.sluice.testing.Postgres.USER, null,
                     java.util.Map.of(), false, false, false, null))) {
            assertEquals(List.of("001_core.sql", "002_more.sql"), Migrations.migrate(t, dir).applied());
            assertTrue(t.hasColumn("core", "label"));
            assertEquals(List.of(), Migrations.migrate(t, dir).applied());
            assertEquals(2L, t.count(Migrations.TABLE));
        }
    }

    /**
     * Issue 15, point 5: a plpgsql function and a DO block hold semicolons inside dollar quotes; the old splitter cut them
     * there and PostgreSQL answered "Unterminated dollar quote … (statement 1 of 5)".
     */
    @Test
    void migrateAndScriptRunPlpgsqlFunctionsAndDoBlocksOnPostgresql() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg-functions"));
        Files.writeString(dir.resolve("001_function.sql"), """
                BEGIN;
                CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL);
                -- a function whose body holds semicolons; and a string with one: 'x;y'
                CREATE FUNCTION add_note(n TEXT) RETURNS BIGINT LANGUAGE plpgsql AS $$
                DECLARE
                  new_id BIGINT;
                BEGIN
                  INSERT INTO audit (note) VALUES (n || ';') RETURNING id INTO new_id;
                  RETURN new_id;
                END;
                $$;
                DO $body$
                BEGIN
                  IF NOT EXISTS (SELECT 1 FROM audit) THEN
                    PERFORM add_note(E'seeded by DO; it\\'s here');
                  END IF;
                END
                $body$;
                COMMIT;
                """);
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema();
             Tier t = Tier.open(new dev.sluice.workspace.TierConfig("warehouse", pg.url(), dev.sluice.testing.Postgres.USER, null,
                     java.util.Map.of(), false, false, false, null))) {
            assertEquals(List.of("001_function.sql"), Migrations.migrate(t, dir).applied());
            assertEquals(List.of("seeded by DO; it's here;"), t.query("SELECT note FROM audit ORDER BY id").values());
            assertEquals(2L, ((Number) t.query("SELECT add_note('called after')").value()).longValue(), "the function is callable");

            t.script("""
                    CREATE OR REPLACE FUNCTION twice(x INT) RETURNS INT LANGUAGE plpgsql AS $fn$
                    BEGIN
                      RETURN x * 2; -- one; two
                    END $fn$;
                    DO $$ BEGIN PERFORM add_note('from script; ' || twice(21)); END $$;
                    """);
            assertEquals(List.of("seeded by DO; it's here;", "called after;", "from script; 42;"),
                    t.query("SELECT note FROM audit ORDER BY id").values());

            // An unclosed body is refused before anything of the file runs, naming the file, the tag and the line.
            Files.writeString(dir.resolve("002_broken.sql"), "CREATE TABLE later (id INT);\nDO $x$ BEGIN PERFORM 1; END $y$;\n");
            SluiceException e = assertThrows(SluiceException.class, () -> Migrations.migrate(t, dir));
            assertEquals(ErrorCode.SQL, e.code());
            assertEquals("Migration 002_broken.sql on tier 'warehouse': Unterminated dollar-quoted string $x$ at line 2, column 4 "
                    + "(statement 2). Close it with $x$. Nothing was applied.", e.getMessage());
            assertTrue(!t.hasTable("later"));
        }
    }

    @Test
    void migrateRunsSqliteTriggerBodiesHoldingSemicolons() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("triggers"));
        Files.writeString(dir.resolve("001_trigger.sql"), """
                CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);
                CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);
                CREATE TRIGGER item_ai AFTER INSERT ON item BEGIN
                  INSERT INTO log (msg) VALUES ('added; ' || new.name);
                  UPDATE log SET msg = msg || CASE WHEN new.id > 1 THEN ' (more)' ELSE ' (first)' END WHERE id = last_insert_rowid();
                END;
                INSERT INTO item (name) VALUES ('a;b'), ('c');
                """);
        try (Tier t = Tier.open(TestWorkspaces.sqlite(tmp, "t").tier("t"), true)) {
            assertEquals(List.of("001_trigger.sql"), Migrations.migrate(t, dir).applied());
            assertEquals(List.of("added; a;b (first)", "added; c (more)"), t.query("SELECT msg FROM log ORDER BY id").values());
            t.exec("INSERT INTO item (name) VALUES ('d')");
            assertEquals(3L, t.count("log"), "the trigger is in place");
        }
    }

    @Test
    void appliesFilesInLexicalOrderOnceAndRefusesAnEditedOne() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("migrations"));
        Files.writeString(dir.resolve("2025-11-07_002_alter.sql"), "ALTER TABLE core ADD COLUMN archived INTEGER DEFAULT 0;\n");
        Files.writeString(dir.resolve("2025-11-07_001_core_tables.sql"),
                "BEGIN TRANSACTION;\nCREATE TABLE IF NOT EXISTS core (id INTEGER PRIMARY KEY);\nCOMMIT;\n");
        try (Tier t = Tier.open(TestWorkspaces.sqlite(tmp, "t").tier("t"), true)) {
            MigrateResult first = Migrations.migrate(t, dir);
            assertEquals(List.of("2025-11-07_001_core_tables.sql", "2025-11-07_002_alter.sql"), first.applied());
            assertTrue(t.hasColumn("core", "archived"));
            MigrateResult second = Migrations.migrate(t, dir);
            assertEquals(List.of(), second.applied());
            assertEquals(2, second.alreadyApplied().size());
            Files.writeString(dir.resolve("2025-11-07_002_alter.sql"), "ALTER TABLE core ADD COLUMN archived2 INTEGER;\n");
            Files.writeString(dir.resolve("2025-11-07_003_new.sql"), "CREATE TABLE later (id INTEGER);\n");
            SluiceException e = assertThrows(SluiceException.class, () -> Migrations.migrate(t, dir));
            assertEquals(ErrorCode.STEP_CHANGED, e.code());
            assertTrue(e.getMessage().startsWith("Migration 2025-11-07_002_alter.sql changed since it was applied to tier 't'"), e.getMessage());
            assertTrue(!t.hasTable("later"), "refused before anything ran");
        }
    }
}
