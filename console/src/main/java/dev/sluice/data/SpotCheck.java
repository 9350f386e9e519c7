package dev.sluice.data;

import dev.sluice.tier.Format;
import java.util.List;

/**
 * Seed 004's "spot check N random records": the keys sampled from a, and every field that differs in b (or the key
 * missing from b). {@link #ok()} when nothing differs.
 */
public record SpotCheck(String a, String b, String table, List<Object> keys, List<FieldDifference> differences, List<Object> missing) {
    public SpotCheck {
        keys = List.copyOf(keys);
        differences = List.copyOf(differences);
        missing = List.copyOf(missing);
    }

    /** One field of one row that differs: the key, the column, and both values. */
    public record FieldDifference(Object key, String column, Object a, Object b) {
        @Override
        public String toString() {
            return "key " + key + ", " + column + ": " + show(a) + " ≠ " + show(b);
        }
    }

    public boolean ok() {
        return differences.isEmpty() && missing.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("spot check of ").append(Format.count(keys.size())).append(" random rows of ").append(table)
                .append(", ").append(a).append(" vs ").append(b).append(": ").append(ok() ? "all fields match" : "differences");
        for (Object k : missing) {
            sb.append("\n  key ").append(k).append(": missing in ").append(b);
        }
        for (FieldDifference d : differences) {
            sb.append("\n  ").append(d);
        }
        return sb.toString();
    }

    static String show(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[] bytes) {
            return "blob(" + bytes.length + " bytes)";
        }
        if (v instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 59) + "…" : s) + "'";
        }
        return v.toString();
    }
}
