package dev.sluice.data;

import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Rows;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Engine;
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
        return tier.exec(bind(sql, tier.engine(), lo, hi, args), args.toArray());
    }

    /** The source rows of this batch (a batch is small: it is held in memory). */
    public Rows rows() {
        return tier.query("SELECT * FROM " + from + " WHERE " + Identifiers.quote(key) + " BETWEEN ? AND ? ORDER BY "
                + Identifiers.quote(key), lo, hi);
    }

    /** Replaces the :lo and :hi parameters (not text in strings, names or comments) with ? and collects the values in order. */
    static String bind(String sql, Engine engine, Object lo, Object hi, List<Object> args) {
        StringBuilder out = new StringBuilder(sql.length());
        for (SqlLexer.Token t : SqlLexer.tokens(sql, engine)) {
            if (t.kind() == SqlLexer.Kind.PARAMETER && (t.text().equals(":lo") || t.text().equals(":hi"))) {
                out.append('?');
                args.add(t.text().equals(":lo") ? lo : hi);
            } else {
                out.append(t.text());
            }
        }
        return out.toString();
    }
}
