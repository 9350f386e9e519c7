package dev.sluice.data;

import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Path;
import java.util.Map;

/** Real tiers for data tests: SQLite files and the local PostgreSQL (schema per test). */
final class DataTiers {
    private DataTiers() {
    }

    static Tier sqlite(Path file) {
        return sqlite(file.getFileName().toString().replace(".db", ""), file, Map.of());
    }

    static Tier sqlite(String name, Path file, Map<String, String> pragmas) {
        return Tier.open(new TierConfig(name, "jdbc:sqlite:" + file.toAbsolutePath(), null, null, pragmas, false, false, false,
                file.toAbsolutePath()), true);
    }

    static Tier postgres(Postgres pg) {
        return Tier.open(new TierConfig("warehouse", pg.url(), Postgres.USER, null, Map.of(), false, false, false, null), true);
    }

    /** Tables with everything that breaks naive copies: quotes, keywords, NULL, BLOB, unicode, reals, no primary key. */
    static void awkward(Tier t) {
        t.script("""
                CREATE TABLE "my ""table""\" (id INTEGER PRIMARY KEY AUTOINCREMENT, "order" TEXT NOT NULL, "select" REAL,
                  data BLOB, note TEXT, flag BOOLEAN, price NUMERIC, created DATETIME, "a b" VARCHAR(20));
                CREATE INDEX "ix ""order""\" ON "my ""table""\" ("order");
                CREATE UNIQUE INDEX ix_note ON "my ""table""\" (note);
                INSERT INTO "my ""table""\" VALUES (1, '', 0.1, x'00ff10', NULL, 1, 1.5, '2024-01-01 10:00:00', 'x');
                INSERT INTO "my ""table""\" VALUES (2, 'naïve 日本 🎉', 1e308, NULL, 'it''s "quoted", with comma
                and newline', 0, 2, NULL, NULL);
                INSERT INTO "my ""table""\" VALUES (5, 'order', -0.0, x'', '\\N', NULL, NULL, '2025-12-31 23:59:59', ' ');
                INSERT INTO "my ""table""\" VALUES (9, 'big', 4.9e-324, randomblob(3000), 'NULL', 1, 12345678901234, NULL, '');
                CREATE TABLE nopk (a TEXT, b INTEGER, c REAL);
                INSERT INTO nopk VALUES ('a', 1, 0.5), ('a', 1, 0.5), (NULL, NULL, NULL), ('Ω', -9223372036854775808, 1e-300);
                """);
    }
}
