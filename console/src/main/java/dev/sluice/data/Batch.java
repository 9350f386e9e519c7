package dev.sluice.data;

import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * One backfill batch, handed to the batch body inside its transaction: the key range {@code lo..hi} (inclusive), the
 * number of keys in it, and helpers to read its rows or run a statement with {@code :lo}/{@code :hi} bound.
 */
public record Batch(Tier tier, String from, String key, Object lo, Object hi, long size, long number) {
    /** Runs {@code sql} on the tier with {@code :lo} and {@code :hi} bound to this batch's range; returns rows changed. */
    public int exec(String sql) {
        List<Object> args = new ArrayList<>();
        return tier.exec(bind(sql, lo, hi, args), args.toArray());
    }

    /** The source rows of this batch (a batch is small: it is held in memory). */
    public Rows rows() {
        return tier.query("SELECT * FROM " + from + " WHERE " + Identifiers.quote(key) + " BETWEEN ? AND ? ORDER BY "
                + Identifiers.quote(key), lo, hi);
    }

    /** Replaces :lo and :hi (outside quotes) with ? and collects the values in order. */
    static String bind(String sql, Object lo, Object hi, List<Object> args) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                out.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                out.append(c);
            } else if (c == ':' && sql.startsWith(":lo", i) && !identChar(sql, i + 3)) {
                out.append('?');
                args.add(lo);
                i += 2;
            } else if (c == ':' && sql.startsWith(":hi", i) && !identChar(sql, i + 3)) {
                out.append('?');
                args.add(hi);
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean identChar(String s, int i) {
        return i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_');
    }
}
