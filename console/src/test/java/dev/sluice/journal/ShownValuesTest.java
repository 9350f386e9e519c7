package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.testing.Postgres;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the console showed, as the journal keeps it ({@link Observations#shown}): rows by digest, data as itself, times as varying. */
class ShownValuesTest {
    @TempDir
    Path dir;

    private static final String ROWS = """
            INSERT INTO shown VALUES (1, 'naïve 日本 🎉', 0.1, NULL, 1.50);
            INSERT INTO shown VALUES (2, NULL, -0.0, %s, 12345678901234);
            INSERT INTO shown VALUES (3, 'it''s
            two lines', 1e300, %s, NULL);
            """;

    private Tier sqlite() {
        Path f = dir.resolve("shown.db");
        Tier t = Tier.open(new TierConfig("lite", "jdbc:sqlite:" + f, null, null, Map.of(), false, false, false, f), true);
        t.script("CREATE TABLE shown (id INTEGER PRIMARY KEY, label TEXT, r REAL, data BLOB, price NUMERIC);\n"
                + ROWS.formatted("x''", "x'00ff10'"));
        return t;
    }

    /** The digest is the checksum encoding of the values: SQLite and PostgreSQL rows with the same values give the same one. */
    @Test
    void theSameRowsFromSqliteAndPostgresHaveTheSameDigest() {
        try (Postgres pg = Postgres.schema(); Tier lite = sqlite();
             Tier warehouse = Tier.open(new TierConfig("warehouse", pg.url(), Postgres.USER, null, Map.of(), false, false, false, null), true)) {
            warehouse.script("CREATE TABLE shown (id bigint PRIMARY KEY, label text, r double precision, data bytea, price numeric(20, 2));\n"
                    + ROWS.formatted("'\\x'::bytea", "'\\x00ff10'::bytea"));
            String sql = "SELECT id, label, r, data, price FROM shown ORDER BY id";
            ObjectNode a = Observations.shown(lite.query(sql), false, List.of());
            ObjectNode b = Observations.shown(warehouse.query(sql), false, List.of());
            assertEquals("query", a.path("call").asText());
            assertEquals("lite", a.path("tier").asText());
            assertEquals("warehouse", b.path("tier").asText());
            assertEquals(3, a.path("result").path("rows").asInt());
            assertEquals(a.path("result").path("sha256"), b.path("result").path("sha256"), a + "\n" + b);
            assertEquals(a.path("result").path("headHashes"), b.path("result").path("headHashes"));

            ObjectNode changed = Observations.shown(lite.query("SELECT id, label, r, data, price FROM shown ORDER BY id DESC"), false, List.of());
            assertNotEquals(a.path("result").path("sha256"), changed.path("result").path("sha256"), "row order is part of what was shown");
        }
    }

    @Test
    void rowsKeepTheShownRowsTextAndAreNamedByTheirQuery() {
        try (Tier lite = sqlite()) {
            ObjectNode o = Observations.shown(lite.query("SELECT label, data FROM shown WHERE id >= ? ORDER BY id", 2), false, List.of());
            assertEquals(List.of("SELECT label, data FROM shown WHERE id >= ? ORDER BY id", "2"),
                    List.of(o.path("args").path(0).asText(), o.path("args").path(1).asText()));
            JsonNode r = o.path("result");
            assertEquals("NULL | x'' (0 B)", r.path("head").path(0).asText());
            assertEquals("it's\\ntwo lines | x'00ff10' (3 B)", r.path("head").path(1).asText());
            assertEquals(2, r.path("headHashes").size());
            assertEquals(16, r.path("headHashes").path(0).asText().length());
        }
    }

    /** Past the rows the console shows, only the digest covers a row: the kept text stays bounded whatever the result's size. */
    @Test
    void aLargeResultKeepsOnlyTheRowsTheConsoleShows() {
        List<Object[]> values = new ArrayList<>();
        for (long i = 0; i < 20_000; i++) {
            values.add(new Object[]{i, "row " + i + " " + "x".repeat(300)});
        }
        Rows big = new Rows(List.of("id", "text"), values);
        ObjectNode o = Observations.shown(big, false, List.of());
        assertEquals("value", o.path("call").asText(), "rows made without a query are a shown value");
        JsonNode r = o.path("result");
        assertEquals(20_000, r.path("rows").asInt());
        assertEquals(Rows.DISPLAY_ROWS, r.path("head").size());
        assertTrue(r.path("head").path(0).asText().length() <= Observations.ROW_TEXT, r.path("head").path(0).asText());
        values.set(19_999, new Object[]{19_999L, "changed"});
        assertNotEquals(r.path("sha256"), Observations.shown(new Rows(List.of("id", "text"), values), false, List.of()).path("result").path("sha256"));
    }

    @Test
    void dataIsKeptTimesVaryAndTheRestIsNotAnObservation() {
        assertEquals(21, Observations.shown(21, false, List.of()).path("result").asInt());
        assertEquals("[\"a\",null,2.5]", Observations.shown(java.util.Arrays.asList("a", null, 2.5), false, List.of()).path("result").toString());
        ObjectNode now = Observations.shown(Instant.parse("2026-01-02T03:04:05Z"), false, List.of());
        assertEquals("a time (Instant)", now.path("varies").asText());
        ObjectNode marked = Observations.shown(0.123, true, List.of());
        assertEquals(Observations.MARKED, marked.path("varies").asText());
        assertNull(Observations.shown(new Object(), false, List.of()), "not data: nothing to compare");
        JsonNode counted = Observations.normalise(1017L);
        assertNull(Observations.shown(1017L, false, List.of(counted)), "the count call observed it already");
        assertFalse(Observations.shown(1017L, false, List.of()).has("varies"));
    }

    /** A secret in a shown value is masked, and a digest is never rewritten by a short secret made of hex digits. */
    @Test
    void redactionMasksTextButNotDigests() {
        try (Tier lite = sqlite()) {
            ObjectNode o = Observations.shown(lite.query("SELECT 'pw=abc1 and password=hunter2' AS s"), false, List.of());
            String sha = o.path("result").path("sha256").asText();
            List<dev.sluice.workspace.Secret> secrets = List.of(new dev.sluice.workspace.Secret(sha.substring(3, 7)));
            ObjectNode r = Observations.redacted(o, secrets);
            assertEquals(sha, r.path("result").path("sha256").asText());
            assertTrue(r.path("result").path("head").path(0).asText().contains("password=****"), r.toString());
        }
    }
}
