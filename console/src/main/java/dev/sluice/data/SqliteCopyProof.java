package dev.sluice.data;

import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Proves inside SQLite that a freshly loaded table equals its attached source, row by row, without a value crossing JNI:
 * every target row is joined to the source row with the same key (the rowid, or the primary key of a WITHOUT ROWID
 * table) and every column compared with {@code IS … COLLATE BINARY} (exact bytes for text and blobs, NULL only with NULL)
 * and, where the column affinities let an INTEGER and a REAL of equal value both be stored or let the comparison convert
 * a value, {@code typeof} as well. The proof holds when the rows matching that way number both the target's rows and the
 * source's. Equal values of equal storage classes encode identically in the engine-independent checksum (README.md,
 * "Checksums"), so one checksum of either table is then the checksum of both.
 *
 * <p>A proof that does not hold is not a verdict: a rowid table without an INTEGER PRIMARY KEY copied without SQLite's
 * raw-copy shortcut gets new rowids, so the caller then compares the two checksums instead.
 */
final class SqliteCopyProof {
    private final String sql;
    private final String firstDifference;
    private final List<String> columns;

    private SqliteCopyProof(String sql, String firstDifference, List<String> columns) {
        this.sql = sql;
        this.firstDifference = firstDifference;
        this.columns = columns;
    }

    /**
     * The proof for {@code main.into} against {@code schema.table} (both on {@code to}'s connection), or null when the two
     * tables cannot be joined row to row by a key the copy keeps (then the caller compares checksums).
     */
    static SqliteCopyProof of(Tier from, String table, Tier to, String schema, String into, List<Column> srcCols) {
        List<Column> dstCols = to.columns(into);
        List<Column> pairs = new ArrayList<>();
        for (Column s : srcCols) {
            Column d = dstCols.stream().filter(c -> c.name().equalsIgnoreCase(s.name())).findFirst().orElse(null);
            if (d == null) {
                return null;
            }
            pairs.add(d);
        }
        if (dstCols.size() != srcCols.size()) {
            return null;
        }
        List<String> names0 = srcCols.stream().map(Column::name).toList();
        if (!orderOf(new Checksummer(from).orderedSelect(table, names0, null)).equals(orderOf(new Checksummer(to).orderedSelect(into, names0, null)))) {
            return null; // the two checksums would read the rows in different orders: one cannot stand for both
        }
        if (!keyCollations(from, table).equals(keyCollations(to, into))) {
            return null; // the same ORDER BY text, but keys declared with other collations sort the rows otherwise
        }
        boolean srcRowid = !withoutRowid(from, table);
        boolean dstRowid = !withoutRowid(to, into);
        if (srcRowid != dstRowid) {
            return null;
        }
        List<String> on = new ArrayList<>();
        List<String> key = new ArrayList<>();
        String keyY = null;
        if (srcRowid) {
            String rowid = unshadowedRowid(srcCols, dstCols);
            if (rowid == null) {
                return null;
            }
            on.add("y." + rowid + " = x." + rowid);
            key.add("x." + rowid);
            keyY = "y." + rowid;
        } else {
            List<String> pk = from.primaryKey(table);
            if (pk.isEmpty() || !pk.equals(to.primaryKey(into))) {
                return null;
            }
            for (String k : pk) {
                Column s = find(srcCols, k);
                Column d = find(dstCols, k);
                if (s == null || d == null || SqliteDdl.affinity(s.type()) != SqliteDdl.affinity(d.type())) {
                    return null; // a lookup through the source's key index needs the same affinity on both sides
                }
                String q = Identifiers.quote(k);
                on.add("y." + q + " = x." + q);
                key.add("x." + q);
                keyY = keyY == null ? "y." + q : keyY;
            }
        }
        List<String> same = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder probe = new StringBuilder("SELECT ").append(String.join(", ", key));
        for (int i = 0; i < srcCols.size(); i++) {
            String q = Identifiers.quote(srcCols.get(i).name());
            names.add(srcCols.get(i).name());
            char a = SqliteDdl.affinity(srcCols.get(i).type());
            char b = SqliteDdl.affinity(pairs.get(i).type());
            // Same TEXT or same REAL affinity on both sides: no conversion when comparing, and no INTEGER/REAL pair of
            // equal value can be stored, so IS alone is exact. Anything else also compares the storage class.
            boolean exactByIs = a == b && (a == 'T' || a == 'R');
            same.add("x." + q + " IS y." + q + " COLLATE BINARY" + (exactByIs ? "" : " AND typeof(x." + q + ") = typeof(y." + q + ")"));
            probe.append(", quote(x.").append(q).append("), typeof(x.").append(q).append("), quote(y.").append(q)
                    .append("), typeof(y.").append(q).append(")");
        }
        String from_ = " FROM main." + Identifiers.quote(into) + " x JOIN " + Identifiers.quote(schema) + "." + Identifiers.quote(table)
                + " y ON " + String.join(" AND ", on);
        String where = same.isEmpty() ? "" : " WHERE " + String.join(" AND ", same);
        String sql = "SELECT count(*)" + from_ + where;
        String first = probe + " FROM main." + Identifiers.quote(into) + " x LEFT JOIN " + Identifiers.quote(schema) + "."
                + Identifiers.quote(table) + " y ON " + String.join(" AND ", on)
                + (same.isEmpty() ? " WHERE " : " WHERE NOT (" + String.join(" AND ", same) + ") OR ") + keyY + " IS NULL LIMIT 1";
        return new SqliteCopyProof(sql, first, names);
    }

    /** Rows of the target equal, key for key, to a row of the source. */
    long matchingRows(Tier to) {
        return ((Number) to.query(sql).value()).longValue();
    }

    /** The SQL of the proof (tests, and the README's description). */
    String sql() {
        return sql;
    }

    /** The first target row that differs from its source row, in words (for the refusal); null when none does. */
    String firstDifference(Tier to) {
        List<Row> rows = to.query(firstDifference).rows();
        if (rows.isEmpty()) {
            return null;
        }
        Row r = rows.get(0);
        int keys = r.size() - 4 * columns.size();
        List<String> key = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            key.add(String.valueOf(r.get(i)));
        }
        String at = "key " + String.join(", ", key);
        for (int i = 0; i < columns.size(); i++) {
            int c = keys + 4 * i;
            Object tv = r.get(c), tt = r.get(c + 1), sv = r.get(c + 2), st = r.get(c + 3);
            if (sv == null && st == null) {
                return "target row at " + at + " has no source row with that key";
            }
            if (!String.valueOf(tv).equals(String.valueOf(sv)) || !String.valueOf(tt).equals(String.valueOf(st))) {
                return "at " + at + ", column " + columns.get(i) + ": source " + cut(sv) + " (" + st + "), target " + cut(tv) + " (" + tt + ")";
            }
        }
        return "at " + at;
    }

    /**
     * The collation of each primary-key column, as the key's own index has it ({@code PRAGMA index_xinfo}: the column's
     * declared collation, which ORDER BY on it uses too); empty for a rowid table keyed by its rowid alone.
     */
    private static List<String> keyCollations(Tier t, String table) {
        List<String> out = new ArrayList<>();
        for (Row ix : t.query("SELECT name FROM pragma_index_list(?) WHERE origin = 'pk'", table)) {
            for (Row c : t.query("SELECT name, coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno", ix.get("name"))) {
                out.add(c.get("name") + " " + String.valueOf(c.get("coll")).toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static String orderOf(String select) {
        return select.substring(select.lastIndexOf(" ORDER BY "));
    }

    private static String cut(Object quoted) {
        String s = String.valueOf(quoted);
        return s.length() > 40 ? s.substring(0, 37) + "…" : s;
    }


    private static boolean withoutRowid(Tier t, String table) {
        Object wr = t.query("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", table).value();
        return wr != null && ((Number) wr).intValue() != 0;
    }

    /** rowid, _rowid_ or oid: the first name no column of either table takes. */
    private static String unshadowedRowid(List<Column> a, List<Column> b) {
        for (String r : List.of("rowid", "_rowid_", "oid")) {
            if (find(a, r) == null && find(b, r) == null) {
                return r;
            }
        }
        return null;
    }

    private static Column find(List<Column> cols, String name) {
        return cols.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst().orElse(null);
    }
}
