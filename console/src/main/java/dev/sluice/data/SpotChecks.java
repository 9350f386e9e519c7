package dev.sluice.data;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Samples random rows of a table on one tier by key and compares them field by field with the other tier, values
 * compared in the checksum encoding (so 1 in SQLite and 1 in PostgreSQL bigint match, and 1 and '1' do not).
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
                if (!Arrays.equals(Checksummer.encodeRow(x.get(i)), Checksummer.encodeRow(y.get(i)))) {
                    diffs.add(new SpotCheck.FieldDifference(k, cols.get(i).name(), x.get(i), y.get(i)));
                }
            }
        }
        SpotCheck s = new SpotCheck(a.name(), b.name(), table, keys, diffs, missing);
        return a.observe("spotCheck", List.of(a.name(), b.name(), table, n), s);
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
