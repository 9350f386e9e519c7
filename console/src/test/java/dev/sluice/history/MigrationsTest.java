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
