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
