package dev.sluice.data;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.postgresql.util.PGobject;

/**
 * Samples random rows of a table on one tier by key and compares them field by field with the other tier, values
 * compared in the checksum encoding (so 1 in SQLite and 1 in PostgreSQL bigint match, and 1 and '1' do not). Two
 * conversions a copy into a typed PostgreSQL table makes are understood: SQLite text naming a date-time matches a
 * PostgreSQL {@code timestamp}/{@code timestamptz}/{@code date} of the same wall-clock value, and text holding JSON
 * matches a {@code json}/{@code jsonb} value equal as JSON (jsonb reorders keys and respaces; seed 004's metadata).
 */
public final class SpotChecks {
    private SpotChecks() {
    }

    public static SpotCheck check(Tier a, Tier b, String table, int n, Random random) {
        List<String> pk = a.primaryKey(table);
        if (pk.size() != 1) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "spotCheck: " + a.name() + "." + table
                    + " has no single-column primary key to sample by. Use diff(a.table('" + table + "'), b.table('" + table + "')) instead.");
        }
        String key = pk.get(0);
        List<Column> cols = a.columns(table);
        b.columns(table); // refuses a missing table on b with the list of its tables
        List<Object> keys = sample(a, table, key, cols, n, random);
        String select = "SELECT " + String.join(", ", cols.stream().map(c -> Identifiers.quote(c.name())).toList()) + " FROM "
                + Identifiers.quote(table) + " WHERE " + Identifiers.quote(key) + " = ?";
        List<SpotCheck.FieldDifference> diffs = new ArrayList<>();
        List<Object> missing = new ArrayList<>();
        for (Object k : keys) {
            Rows ra = a.query(select, k);
            Rows rb = b.query(select, k);
            if (rb.isEmpty()) {
                missing.add(k);
                continue;
            }
            Row x = ra.get(0);
            Row y = rb.get(0);
            for (int i = 0; i < cols.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    diffs.add(new SpotCheck.FieldDifference(k, cols.get(i).name(), x.get(i), y.get(i)));
                }
            }
        }
        SpotCheck s = new SpotCheck(a.name(), b.name(), table, keys, diffs, missing);
        return TierInternals.observe(a, "spotCheck", List.of(a.name(), b.name(), table, n), s);
    }

    /** Equal in the checksum encoding, or the same date-time or JSON value across the text ↔ typed conversion. */
    static boolean same(Object x, Object y) {
        if (Arrays.equals(Checksummer.encodeRow(x), Checksummer.encodeRow(y))) {
            return true;
        }
        if (x == null || y == null) {
            return false;
        }
        if (temporal(x) || temporal(y)) {
            Object tx = dateTime(x);
            return tx != null && tx.equals(dateTime(y));
        }
        if (json(x) || json(y)) {
            JsonNode jx = parseJson(x);
            JsonNode jy = parseJson(y);
            return jx != null && jy != null && jx.equals(NUMBERS, jy);
        }
        return false;
    }

    private static final ObjectReader JSON = Json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Comparator<JsonNode> NUMBERS = (p, q) -> {
        if (p.equals(q)) {
            return 0;
        }
        if (p.isNumber() && q.isNumber()) {
            return p.decimalValue().compareTo(q.decimalValue());
        }
        return 1;
    };

    private static boolean temporal(Object v) {
        return v instanceof java.util.Date || v instanceof java.time.temporal.Temporal;
    }

    /** A LocalDateTime (or LocalDate for dates), from a JDBC value or from ISO-8601 text ('T' or a space between). */
    private static Object dateTime(Object v) {
        if (v instanceof Timestamp t) {
            return t.toLocalDateTime();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDateTime || v instanceof LocalDate) {
            return v;
        }
        if (v instanceof String s) {
            String text = s.strip();
            try {
                return text.length() <= 10 ? LocalDate.parse(text) : LocalDateTime.parse(text.replaceFirst(" ", "T"));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean json(Object v) {
        return v instanceof PGobject o && o.getType() != null && o.getType().startsWith("json");
    }

    private static JsonNode parseJson(Object v) {
        String text = v instanceof PGobject o ? o.getValue() : v instanceof String s ? s : null;
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static List<Object> sample(Tier a, String table, String key, List<Column> cols, int n, Random random) {
        String q = Identifiers.quote(key);
        String t = Identifiers.quote(table);
        String type = cols.stream().filter(c -> c.name().equals(key)).map(Column::type).findFirst().orElse("");
        boolean integer = type != null && type.toUpperCase(Locale.ROOT).contains("INT");
        Set<Object> keys = new LinkedHashSet<>();
        if (integer) {
            Row r = a.query("SELECT min(" + q + "), max(" + q + "), count(*) FROM " + t).get(0);
            long count = ((Number) r.get(2)).longValue();
            if (count == 0) {
                return List.of();
            }
            long min = ((Number) r.get(0)).longValue();
            long max = ((Number) r.get(1)).longValue();
            int want = (int) Math.min(n, count);
            for (int tries = 0; keys.size() < want && tries < want * 20; tries++) {
                long probe = min + (long) (random.nextDouble() * ((double) max - min + 1));
                Object k = a.query("SELECT " + q + " FROM " + t + " WHERE " + q + " >= ? ORDER BY " + q + " LIMIT 1", probe).value();
                if (k != null) {
                    keys.add(k);
                }
            }
            return new ArrayList<>(keys);
        }
        long count = ((Number) a.query("SELECT count(*) FROM " + t).value()).longValue();
        int want = (int) Math.min(n, count);
        for (int tries = 0; keys.size() < want && tries < want * 20; tries++) {
            long offset = (long) (random.nextDouble() * count);
            keys.add(a.query("SELECT " + q + " FROM " + t + " ORDER BY " + q + " LIMIT 1 OFFSET ?", offset).value());
        }
        return new ArrayList<>(keys);
    }
}
