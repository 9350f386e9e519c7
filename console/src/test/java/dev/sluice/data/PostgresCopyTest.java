package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.SluiceException;
import dev.sluice.testing.Postgres;
import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresCopyTest {
    @TempDir
    Path dir;

    @Test
    void awkwardTablesCopyFromSqliteToPostgresWithMatchingChecksums() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            DataTiers.awkward(a);
            for (String t : List.of("my \"table\"", "nopk")) {
                CopyResult r = TableCopy.copy(a, t, w, CopyOptions.defaults());
                assertTrue(r.verified(), r.toString());
                assertTrue(r.method().startsWith("COPY"), r.method());
                assertTrue(r.method().contains("raw SQLite values"), "read by storage class, not decoded: " + r.method());
                assertEquals(a.checksum(t), w.checksum(t));
            }
            Map<String, String> types = new HashMap<>();
            for (Row r : w.query("SELECT column_name, data_type, is_nullable, is_identity FROM information_schema.columns "
                    + "WHERE table_schema = current_schema() AND table_name = 'my \"table\"'")) {
                types.put((String) r.get(0), r.get(1) + (r.get(2).equals("NO") ? " not null" : "") + (r.get(3).equals("YES") ? " identity" : ""));
            }
            assertEquals("bigint not null identity", types.get("id"));
            assertEquals("text not null", types.get("order"));
            assertEquals("double precision", types.get("select"));
            assertEquals("bytea", types.get("data"));
            assertEquals("boolean", types.get("flag"));
            assertEquals("numeric", types.get("price"));
            assertEquals("text", types.get("created"));
            assertEquals(List.of("id"), w.primaryKey("my \"table\""));
            // Identity continues after the copied keys.
            w.exec("INSERT INTO \"my \"\"table\"\"\" (\"order\") VALUES ('next')");
            assertEquals(10L, ((Number) w.query("SELECT max(id) FROM \"my \"\"table\"\"\"").value()).longValue());
            assertTrue(w.indexes("my \"table\"").stream().anyMatch(i -> i.name().equals("ix \"order\"")));
        }
    }

    @Test
    void castTimestampsMakesDatetimeTextTimestamptz() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            DataTiers.awkward(a);
            CopyResult r = TableCopy.copy(a, "my \"table\"", w, CopyOptions.defaults().castTimestamps(true));
            assertTrue(r.verified(), r.toString());
            assertEquals("timestamp with time zone", w.query("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                    + "current_schema() AND column_name = 'created'").value());
        }
    }

    /** Seed 004: captures' text timestamps and JSON metadata land in PostgreSQL timestamp and jsonb columns. */
    @Test
    void spotCheckMatchesTextTimestampsAndJsonAcrossTypedPostgresColumns() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            a.script("""
                    CREATE TABLE c (id INTEGER PRIMARY KEY, at DATETIME, meta TEXT, day TEXT);
                    INSERT INTO c VALUES (1, '2025-11-21T10:15:30.123456', '{"b": [1, 2.50], "a": "é \\"q\\""}', '2025-11-21'),
                                         (2, '2025-11-21 10:15:30', '{}', NULL),
                                         (3, NULL, NULL, '2025-01-02');
                    """);
            w.exec("CREATE TABLE c (id bigint PRIMARY KEY, at timestamp, meta jsonb, day date)");
            w.exec("INSERT INTO c SELECT * FROM (VALUES (1, '2025-11-21 10:15:30.123456'::timestamp, '{\"a\":\"é \\\"q\\\"\",\"b\":[1,2.5]}'::jsonb, '2025-11-21'::date),"
                    + " (2, '2025-11-21 10:15:30', '{}', NULL), (3, NULL, NULL, '2025-01-02')) v");
            SpotCheck same = SpotChecks.check(a, w, "c", 3, new java.util.Random(1));
            assertTrue(same.ok(), same.toString());
            w.exec("UPDATE c SET at = at + interval '1 microsecond', meta = '{\"b\": [1, 2.5], \"a\": \"other\"}' WHERE id = 1");
            w.exec("UPDATE c SET meta = NULL WHERE id = 2");
            SpotCheck changed = SpotChecks.check(a, w, "c", 3, new java.util.Random(1));
            assertEquals(List.of("1 at", "1 meta", "2 meta"), changed.differences().stream().map(d -> d.key() + " " + d.column()).sorted().toList(),
                    changed.toString());
        }
    }

    @Test
    void failedCopyIntoPostgresLeavesNothing() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO t VALUES (1, 5), (2, 'not a number');");
            SluiceException e = assertThrows(SluiceException.class, () -> TableCopy.copy(a, "t", w, CopyOptions.defaults()));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertFalse(w.hasTable("t"));
            assertFalse(w.inTransaction());
        }
    }

    @Test
    void textThatIsNotUtf8IsRefusedInOneLineNotSilentlyReplaced() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT); INSERT INTO t VALUES (1, 'fine'), (2, CAST(x'41C328' AS TEXT));");
            SluiceException e = assertThrows(SluiceException.class, () -> TableCopy.copy(a, "t", w, CopyOptions.defaults()));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
            assertFalse(w.hasTable("t"), "nothing copied");
        }
    }

    @Test
    void postgresToSqliteUsesBatchedInsertsAndVerifies() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg);
             Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            DataTiers.awkward(a);
            TableCopy.copy(a, "my \"table\"", w, CopyOptions.defaults());
            CopyResult back = TableCopy.copy(w, "my \"table\"", b, CopyOptions.defaults());
            assertTrue(back.verified(), back.toString());
            assertEquals(a.checksum("my \"table\""), b.checksum("my \"table\""));
        }
    }
}
