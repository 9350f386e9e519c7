package dev.sluice.data;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Format;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Compares two tables, SQLite or PostgreSQL on either side. With a single-column key: two SQLite files are compared
 * inside SQLite ({@link AttachedCompare}); a SQLite side against another engine, or tiers that cannot be attached, by a
 * {@link StreamedMerge} (segment hashes on SQLite run a Java aggregate, a JNI call per value: more than a plain read);
 * PostgreSQL on both sides the data-diff way: hash both in the database, and when the hashes differ split the key range
 * into segments, hash those on both sides, recurse into the differing ones, and fetch rows only for segments of at most
 * {@link #threshold} rows, switching to the merge when most top-level segments differ. Without such a key: whole-table
 * hashes, then whole rows compared as multisets ({@link WholeRows}). A SQLite key holding NULL (rowid tables allow it
 * unless the key is the rowid) skips the in-SQLite comparison; the merge and the bisection's first range take those rows,
 * compared as whole rows.
 */
public final class TableDiff {
    private final TableRef a;
    private final TableRef b;
    private final int threshold;
    private final int fanout;
    private final List<Column> colsA = new ArrayList<>();
    private final List<Column> colsB = new ArrayList<>();
    private String keyA;
    private String keyB;
    private boolean integerKey;
    /** Each side's key ordered by bytes: decided by that side's declared type (PostgreSQL refuses a collation on a number). */
    private boolean textKeyA;
    private boolean textKeyB;
    /** Bytes of rows each side of a streamed merge may hold ({@link StreamedMerge#QUEUE_BYTES}; tests lower it). */
    private long mergeBytes = StreamedMerge.QUEUE_BYTES;
    /** A side's key holds NULL (SQLite rowid tables whose key is not exactly INTEGER PRIMARY KEY can). */
    private boolean nullKeysA;
    private boolean nullKeysB;
    private final long[] rowsRead = new long[1];
    private final long[] rowsReadB = new long[1];
    private long segments;
    private final List<Object> added = new ArrayList<>();
    private final List<Object> removed = new ArrayList<>();
    private final List<Object> changed = new ArrayList<>();
    /** Bytes of encoded rows kept in memory by a no-key comparison before it spills to disk (tests lower it). */
    private final long wholeRowsMemory;
    /** Keys listed per kind at most; beyond, only counted (and said so in the method line). */
    static final int LISTED = 10_000;
    private long addedAll;
    private long removedAll;
    private long changedAll;
    private DataEvents events = DataEvents.NONE;
    /** Rows of the larger side covered by the top level's segments so far; set while {@link #run()} bisects. */
    private Ticker tick;

    /** How a keyed table is compared; AUTO picks (see the class comment), the others are for tests and benchmarks. */
    enum Way { AUTO, ATTACHED, MERGE, BISECTION }

    private Way way = Way.AUTO;
    /** Set by the top level of a bisection that found most segments different: a merge reads less from there. */
    private boolean mergeInstead;

    private TableDiff(TableRef a, TableRef b, int threshold, int fanout, long wholeRowsMemory) {
        this.wholeRowsMemory = wholeRowsMemory;
        this.a = a;
        this.b = b;
        this.threshold = threshold;
        this.fanout = fanout;
    }

    public static Diff diff(TableRef a, TableRef b) {
        return diff(a, b, 1000, 32);
    }

    /** As {@link #diff(TableRef, TableRef)}, reporting rows compared of the larger side to {@code events}. */
    public static Diff diff(TableRef a, TableRef b, DataEvents events) {
        TableDiff d = new TableDiff(a, b, 1000, 32, WholeRows.MEMORY_BYTES);
        d.events = events == null ? DataEvents.NONE : events;
        return d.run();
    }

    /** @param threshold fetch rows of a segment when it holds at most this many; @param fanout segments per split */
    public static Diff diff(TableRef a, TableRef b, int threshold, int fanout) {
        return new TableDiff(a, b, Math.max(1, threshold), Math.max(2, fanout), WholeRows.MEMORY_BYTES).run();
    }

    /** As {@link #diff(TableRef, TableRef)}, keeping at most {@code wholeRowsMemory} bytes of rows in memory (tests). */
    static Diff diff(TableRef a, TableRef b, long wholeRowsMemory) {
        return new TableDiff(a, b, 1000, 32, wholeRowsMemory).run();
    }

    /** As {@link #diff(TableRef, TableRef)} by one way (ATTACHED falls back as AUTO does when it cannot run). */
    static Diff diff(TableRef a, TableRef b, Way way) {
        return diff(a, b, way, StreamedMerge.QUEUE_BYTES);
    }

    /** As {@link #diff(TableRef, TableRef, Way)}, a streamed merge holding at most about {@code mergeBytes} per side. */
    static Diff diff(TableRef a, TableRef b, Way way, long mergeBytes) {
        TableDiff d = new TableDiff(a, b, 1000, 32, WholeRows.MEMORY_BYTES);
        d.way = way;
        d.mergeBytes = mergeBytes;
        return d.run();
    }

    private Diff run() {
        long t0 = System.nanoTime();
        matchColumns();
        RowHash.Segment sa;
        RowHash.Segment sb;
        String method;
        if (keyA == null) {
            sa = RowHash.segment(a.tier(), a.name(), colsA, null, List.of(), rowsRead);
            sb = RowHash.segment(b.tier(), b.name(), colsB, null, List.of(), rowsRead);
            segments += 2;
            if (!sa.equals(sb)) {
                compareWhole();
            }
            method = "no single-column key: whole-table hashes" + (sa.equals(sb) ? "" : ", then a full comparison of whole rows");
        } else {
            long na = count(a);
            long nb = count(b);
            String[] how = new String[1];
            RowHash.Segment[] both = keyed(na, nb, how);
            method = how[0];
            sa = both[0];
            sb = both[1];
        }
        // The attached comparison and the merge hash nothing: equal is then "no key differs and the counts agree".
        boolean equal = sa.sum() == HASHLESS ? addedAll + removedAll + changedAll == 0 && sa.rows() == sb.rows() : sa.equals(sb);
        if (addedAll > LISTED || removedAll > LISTED || changedAll > LISTED) {
            method += "; keys listed up to " + Format.count(LISTED) + " per kind (in all: " + Format.count(addedAll) + " added, "
                    + Format.count(removedAll) + " removed, " + Format.count(changedAll) + " changed)";
        }
        String ha = sa.sum() == HASHLESS ? null : sa.hex();
        String hb = sb.sum() == HASHLESS ? null : sb.hex();
        Diff d = new Diff(a.toString(), b.toString(), equal, sa.rows(), sb.rows(), ha, hb, added, removed, changed,
                rowsRead[0] + rowsReadB[0], segments, Duration.ofNanos(System.nanoTime() - t0), method);
        return TierInternals.observe(a.tier(), "diff", List.of(a.toString(), b.toString()), d);
    }

    /** Marks a side's Segment that carries a count but no hash (attached comparison, merge). */
    private static final long HASHLESS = Long.MIN_VALUE + 0x5eed;

    /**
     * A table with a single-column key. Both sides SQLite: compared inside SQLite, one file attached to the other's
     * connection (cost independent of the differences, no value crosses JNI). Otherwise, when a side is SQLite (whose
     * segment hashes run a Java aggregate, a JNI call per value) or neither is PostgreSQL: a streamed merge, one read of
     * each side. Both PostgreSQL: bisection (hashes computed natively), switching to the merge when most top-level
     * segments differ.
     */
    private RowHash.Segment[] keyed(long na, long nb, String[] how) {
        String why = null;
        nullKeysA = nullKeys(a, keyA, colsA.get(indexOf(keyA)).type());
        nullKeysB = nullKeys(b, keyB, colsB.get(indexOf(keyA)).type());
        if (nullKeysA || nullKeysB) {
            // A join on the key never matches NULL with NULL, and integer key ranges would leave them out.
            why = "NULL keys in " + (nullKeysA ? a : b) + ", which the in-SQLite join cannot match";
        } else if (way == Way.AUTO || way == Way.ATTACHED) {
            AttachedCompare.Plan plan = AttachedCompare.plan(a, b);
            if (plan.usable()) {
                AttachedCompare.Found f;
                AttachedCompare ac = new AttachedCompare(a, b, colsA, colsB, keyA, keyB, integerKey, textKeyA || textKeyB);
                try (Ticker t = Ticker.start(events, "diff " + a + " ↔ " + b, Math.max(na, nb))) {
                    f = ac.run(plan, na, nb, t.adding());
                    if (f != null) {
                        t.finish(Math.max(na, nb));
                    }
                }
                if (f != null) {
                    f.removed.forEach(k -> list(removed, k));
                    f.changed.forEach(k -> list(changed, k));
                    f.added.forEach(k -> list(added, k));
                    removedAll = f.removedAll;
                    changedAll = f.changedAll;
                    addedAll = f.addedAll;
                    rowsRead[0] += f.removedAll + f.changedAll + f.addedAll;
                    how[0] = "compared in SQLite over " + keyA + " (" + where(plan) + ")";
                    return new RowHash.Segment[]{new RowHash.Segment(na, HASHLESS), new RowHash.Segment(nb, HASHLESS)};
                }
                why = "no index on " + keyA + " that a join can look rows up by";
            } else {
                why = plan.why();
            }
        }
        boolean oneConnection = TierInternals.connection(a.tier()) == TierInternals.connection(b.tier());
        boolean bothPostgres = a.tier().engine() == Engine.POSTGRESQL && b.tier().engine() == Engine.POSTGRESQL;
        if (way == Way.BISECTION || oneConnection || (way != Way.MERGE && bothPostgres)) {
            // The first level of segments doubles as the table hash (sums add up), so equal tables cost one pass per side.
            RowHash.Segment[] top;
            try (Ticker t = Ticker.start(events, "diff " + a + " ↔ " + b, Math.max(na, nb))) {
                tick = t;
                top = bisect(null, null, na, nb);
                t.finish(Math.max(top[0].rows(), top[1].rows()));
            } finally {
                tick = null;
            }
            if (!mergeInstead) {
                how[0] = "bisection over " + keyA + " (" + (why != null && way != Way.BISECTION ? why + "; " : "") + fanout
                        + " segments per level, rows fetched for segments ≤ " + threshold + " rows)";
                return top;
            }
            merge(na, nb);
            how[0] = "streamed merge over " + keyA + " (most top-level segments of the bisection differed)";
            return top;
        }
        merge(na, nb);
        if (why == null || way == Way.MERGE) {
            why = way == Way.MERGE ? "asked for" : (a.tier().engine() == Engine.SQLITE ? "tier '" + a.tier().name() + "'"
                    : "tier '" + b.tier().name() + "'") + " is SQLite, whose segment hashes would run in Java";
        } else if (a.tier().engine() == Engine.SQLITE || b.tier().engine() == Engine.SQLITE) {
            why += "; SQLite segment hashes would run in Java";
        }
        how[0] = "streamed merge over " + keyA + " (" + why + ")";
        return new RowHash.Segment[]{new RowHash.Segment(na, HASHLESS), new RowHash.Segment(nb, HASHLESS)};
    }

    private String where(AttachedCompare.Plan plan) {
        if (plan.hosts().size() == 2) {
            return file(b) + " attached to tier '" + a.tier().name() + "' and " + file(a) + " to '" + b.tier().name()
                    + "', key ranges shared between both connections";
        }
        AttachedCompare.Host h = plan.hosts().get(0);
        if (h.attached() == null) {
            return "both tables on one connection";
        }
        return (h.tier() == a.tier() ? file(b) : file(a)) + " attached to tier '" + h.tier().name() + "' (" + plan.why() + ")";
    }

    private static String file(TableRef t) {
        return String.valueOf(t.tier().file().getFileName());
    }

    /** Reads both sides in key order and lists what differs (counts and progress included). */
    private void merge(long na, long nb) {
        added.clear();
        removed.clear();
        changed.clear();
        addedAll = 0;
        removedAll = 0;
        changedAll = 0;
        try (Ticker t = Ticker.start(events, "diff " + a + " ↔ " + b + " (streamed merge)", Math.max(na, nb))) {
            long[] read = StreamedMerge.run(a, colsA, keyA, textKeyA, b, colsB, keyB, textKeyB,
                    (kind, key) -> list(kind == 0 ? removed : kind == 1 ? changed : added, key), t::at, mergeBytes);
            rowsRead[0] += read[0];
            rowsReadB[0] += read[1];
            t.finish(Math.max(read[0], read[1]));
        }
    }

    private void matchColumns() {
        List<Column> ca = a.tier().columns(a.name());
        List<Column> cb = b.tier().columns(b.name());
        List<String> missing = new ArrayList<>();
        for (Column c : ca) {
            Column m = cb.stream().filter(x -> x.name().equalsIgnoreCase(c.name())).findFirst().orElse(null);
            if (m == null) {
                missing.add(c.name());
            } else {
                colsA.add(c);
                colsB.add(m);
            }
        }
        if (!missing.isEmpty() || cb.size() != ca.size()) {
            throw new SluiceException(ErrorCode.USAGE, "diff: " + a + " and " + b + " have different columns (" + a + ": "
                    + String.join(", ", ca.stream().map(Column::name).toList()) + "; " + b + ": "
                    + String.join(", ", cb.stream().map(Column::name).toList()) + "). Compare views or copies with the same columns.");
        }
        List<String> pk = a.tier().primaryKey(a.name());
        if (pk.size() == 1) {
            keyA = pk.get(0);
            keyB = colsB.get(indexOf(keyA)).name();
            String type = colsA.get(indexOf(keyA)).type();
            String t = type == null ? "" : type.toUpperCase(Locale.ROOT);
            integerKey = t.contains("INT") || t.contains("SERIAL");
            textKeyA = textType(type);
            textKeyB = textType(colsB.get(indexOf(keyA)).type());
        }
    }

    private static boolean textType(String type) {
        String t = type == null ? "" : type.toUpperCase(Locale.ROOT);
        return t.isEmpty() || t.contains("CHAR") || t.contains("TEXT") || t.contains("CLOB") || t.equals("NAME");
    }

    /**
     * Whether a SQLite table's key holds a NULL: looked up through the key's index; a key without one (SCAN) declared
     * exactly INTEGER is the rowid, never NULL (asking would scan the table).
     */
    private static boolean nullKeys(TableRef t, String key, String type) {
        if (t.tier().engine() != Engine.SQLITE) {
            return false; // PostgreSQL keys are NOT NULL
        }
        String probe = "SELECT 1 FROM " + t.tier().qualified(t.name()) + " WHERE " + Identifiers.quote(key) + " IS NULL LIMIT 1";
        java.sql.Connection c = TierInternals.connection(t.tier());
        try (java.sql.Statement st = c.createStatement()) {
            StringBuilder plan = new StringBuilder();
            try (java.sql.ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + probe)) {
                while (rs.next()) {
                    plan.append(rs.getString("detail")).append('\n');
                }
            }
            if (!plan.toString().contains("SEARCH") && type != null && type.trim().equalsIgnoreCase("INTEGER")) {
                return false;
            }
            try (java.sql.ResultSet rs = st.executeQuery(probe)) {
                return rs.next();
            }
        } catch (java.sql.SQLException e) {
            throw TierInternals.fail(t.tier(), e, probe);
        }
    }

    private boolean textKey(TableRef t) {
        return t == a ? textKeyA : textKeyB;
    }

    private int indexOf(String name) {
        for (int i = 0; i < colsA.size(); i++) {
            if (colsA.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException(name);
    }

    // ---------------------------------------------------------------- bisection

    /** [lo, hi): lo inclusive, hi exclusive, null for open ends. Returns the range's hashes on both sides. */
    private RowHash.Segment[] bisect(Object lo, Object hi, long na, long nb) {
        if (Math.max(na, nb) <= threshold) {
            return compareRows(lo, hi);
        }
        List<Object> bounds = splitPoints(lo, hi, na >= nb ? a : b, na >= nb ? keyA : keyB, Math.max(na, nb));
        if (bounds.isEmpty()) {
            return compareRows(lo, hi);
        }
        List<Object> edges = new ArrayList<>();
        edges.add(lo);
        edges.addAll(bounds);
        edges.add(hi);
        long ra = 0;
        long sumA = 0;
        long rb = 0;
        long sumB = 0;
        List<Object[]> differing = new ArrayList<>();
        for (int i = 0; i + 1 < edges.size(); i++) {
            Object l = edges.get(i);
            Object h = edges.get(i + 1);
            List<Object> args = new ArrayList<>();
            String wa = range(a, keyA, l, h, args);
            List<Object> argsB = new ArrayList<>();
            String wb = range(b, keyB, l, h, argsB);
            // Both sides hash at once on their own connections (two tiers, two cores); one tier twice stays sequential.
            CompletableFuture<RowHash.Segment> fb = a.tier() == b.tier()
                    ? CompletableFuture.completedFuture(RowHash.segment(b.tier(), b.name(), colsB, wb, argsB, rowsReadB))
                    : CompletableFuture.supplyAsync(() -> RowHash.segment(b.tier(), b.name(), colsB, wb, argsB, rowsReadB));
            RowHash.Segment sa;
            try {
                sa = RowHash.segment(a.tier(), a.name(), colsA, wa, args, rowsRead);
            } finally {
                fb.handle((x, y) -> null).join();
            }
            RowHash.Segment sb;
            try {
                sb = fb.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
            segments += 2;
            if (!sa.equals(sb)) {
                differing.add(new Object[]{l, h, sa.rows(), sb.rows()});
            }
            ra += sa.rows();
            sumA += sa.sum();
            rb += sb.rows();
            sumB += sb.sum();
            if (lo == null && hi == null && tick != null) { // the top level: one event per segment at most
                tick.at(Math.max(ra, rb));
            }
        }
        // Past half the top-level segments, going down would hash most of both tables again and again: one merge reads less.
        if (lo == null && hi == null && way != Way.BISECTION && differing.size() > 1 && differing.size() * 2 > edges.size() - 1
                && TierInternals.connection(a.tier()) != TierInternals.connection(b.tier())) {
            mergeInstead = true;
        } else {
            for (Object[] d : differing) {
                bisect(d[0], d[1], (Long) d[2], (Long) d[3]);
            }
        }
        return new RowHash.Segment[]{new RowHash.Segment(ra, sumA), new RowHash.Segment(rb, sumB)};
    }

    private static long count(TableRef t) {
        return ((Number) t.tier().query("SELECT count(*) FROM " + Identifiers.quote(t.name())).value()).longValue();
    }

    /** Split keys inside [lo, hi): arithmetic for integer keys, key quantiles read from the larger side otherwise. */
    private List<Object> splitPoints(Object lo, Object hi, TableRef side, String key, long n) {
        List<Object> out = new ArrayList<>();
        if (integerKey) {
            List<Object> args = new ArrayList<>();
            String w = range(side, key, lo, hi, args);
            var r = side.tier().query("SELECT min(" + Identifiers.quote(key) + "), max(" + Identifiers.quote(key) + ") FROM "
                    + Identifiers.quote(side.name()) + (w == null ? "" : " WHERE " + w), args.toArray()).get(0);
            if (r.get(0) == null) {
                return out;
            }
            long min = ((Number) r.get(0)).longValue();
            long max = ((Number) r.get(1)).longValue();
            long start = lo == null ? min : Math.max(min, ((Number) lo).longValue());
            double step = ((double) max - start + 1) / fanout;
            long prev = start;
            for (int i = 1; i < fanout; i++) {
                long p = start + (long) Math.ceil(step * i);
                if (p > prev && p <= max) {
                    out.add(p);
                    prev = p;
                }
            }
            return out;
        }
        for (int i = 1; i < fanout; i++) {
            List<Object> args = new ArrayList<>();
            String w = range(side, key, lo, hi, args);
            args.add(n * i / fanout);
            Object k = side.tier().query("SELECT " + Identifiers.quote(key) + " FROM " + Identifiers.quote(side.name())
                    + (w == null ? "" : " WHERE " + w) + " ORDER BY " + order(side, key) + " LIMIT 1 OFFSET ?", args.toArray()).value();
            if (k != null && (out.isEmpty() || compareKeys(k, out.get(out.size() - 1)) > 0)) {
                out.add(k);
            }
        }
        return out;
    }

    /** [lo, hi); the first range (lo open) also holds a side's NULL keys, which SQLite orders first. */
    private String range(TableRef t, String key, Object lo, Object hi, List<Object> args) {
        String k = Identifiers.quote(key) + (t.tier().engine() == Engine.POSTGRESQL && textKey(t) ? " COLLATE \"C\"" : "");
        List<String> parts = new ArrayList<>();
        if (lo != null) {
            parts.add(k + " >= ?");
            args.add(lo);
        }
        if (hi != null) {
            boolean nulls = lo == null && (t == a ? nullKeysA : nullKeysB);
            parts.add(nulls ? "(" + k + " < ? OR " + Identifiers.quote(key) + " IS NULL)" : k + " < ?");
            args.add(hi);
        }
        return parts.isEmpty() ? null : String.join(" AND ", parts);
    }

    private String order(TableRef t, String key) {
        String k = Identifiers.quote(key);
        if (!textKey(t)) {
            return k;
        }
        return t.tier().engine() == Engine.POSTGRESQL ? k + " COLLATE \"C\"" : k + " COLLATE BINARY";
    }

    // ---------------------------------------------------------------- rows

    private record KeyedRow(Object key, byte[] bytes) {
    }

    private RowHash.Segment[] compareRows(Object lo, Object hi) {
        List<KeyedRow> ra = fetch(a, keyA, colsA, lo, hi);
        List<KeyedRow> rb = fetch(b, keyB, colsB, lo, hi);
        MessageDigest md = TableCopy.sha256();
        long sumA = 0;
        long sumB = 0;
        for (KeyedRow r : ra) {
            sumA += RowHash.ofBytes(md, r.bytes());
        }
        for (KeyedRow r : rb) {
            sumB += RowHash.ofBytes(md, r.bytes());
        }
        int i = 0;
        int j = 0;
        // NULL keys (first in SQLite's order) identify no row: compared as whole rows, as the merge does.
        List<byte[]> nullA = new ArrayList<>();
        List<byte[]> nullB = new ArrayList<>();
        while (i < ra.size() && ra.get(i).key() == null) {
            nullA.add(ra.get(i++).bytes());
        }
        while (j < rb.size() && rb.get(j).key() == null) {
            nullB.add(rb.get(j++).bytes());
        }
        StreamedMerge.nullKeyRows(nullA, nullB, (kind, key) -> list(kind == 0 ? removed : kind == 1 ? changed : added, key));
        while (i < ra.size() || j < rb.size()) {
            int c = i == ra.size() ? 1 : j == rb.size() ? -1 : compareKeys(ra.get(i).key(), rb.get(j).key());
            if (c < 0) {
                list(removed, ra.get(i++).key());
            } else if (c > 0) {
                list(added, rb.get(j++).key());
            } else {
                if (!Arrays.equals(ra.get(i).bytes(), rb.get(j).bytes())) {
                    list(changed, ra.get(i).key());
                }
                i++;
                j++;
            }
        }
        return new RowHash.Segment[]{new RowHash.Segment(ra.size(), sumA), new RowHash.Segment(rb.size(), sumB)};
    }

    private List<KeyedRow> fetch(TableRef t, String key, List<Column> cols, Object lo, Object hi) {
        List<Object> args = new ArrayList<>();
        String w = range(t, key, lo, hi, args);
        String sql = "SELECT " + String.join(", ", cols.stream().map(c -> Identifiers.quote(c.name())).toList()) + " FROM "
                + Identifiers.quote(t.name()) + (w == null ? "" : " WHERE " + w) + " ORDER BY " + order(t, key);
        int k = -1;
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equals(key)) {
                k = i;
            }
        }
        int keyIndex = k;
        Checksummer enc = new Checksummer(t.tier());
        List<KeyedRow> out = new ArrayList<>();
        t.tier().each(sql, args, r -> {
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            out.add(new KeyedRow(v[keyIndex], enc.rowBytes(v)));
        });
        rowsRead[0] += out.size();
        return out;
    }

    /**
     * Tables without a single-column key: whole rows compared as a multiset. Both sides' encoded rows are sorted and
     * merged; up to {@link WholeRows#MEMORY_BYTES} they are sorted in memory, beyond that in a scratch SQLite file, so
     * memory stays bounded whatever the table size.
     */
    private void compareWhole() {
        try (WholeRows rows = new WholeRows(wholeRowsMemory)) {
            read(a, colsA, bytes -> rows.add(0, bytes));
            read(b, colsB, bytes -> rows.add(1, bytes));
            rows.merge((side, row) -> list(side == 0 ? removed : added, describe(row)));
        }
    }

    private void read(TableRef t, List<Column> cols, java.util.function.Consumer<byte[]> sink) {
        String sql = "SELECT " + String.join(", ", cols.stream().map(c -> Identifiers.quote(c.name())).toList()) + " FROM "
                + Identifiers.quote(t.name());
        Checksummer enc = new Checksummer(t.tier());
        t.tier().each(sql, List.of(), r -> {
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            sink.accept(enc.rowBytes(v));
            rowsRead[0]++;
        });
    }

    /** Keeps at most {@link #LISTED} keys per kind (memory stays bounded when everything differs); counts them all. */
    private void list(List<Object> keys, Object key) {
        long n = keys == added ? ++addedAll : keys == removed ? ++removedAll : ++changedAll;
        if (n <= LISTED) {
            keys.add(key);
        }
    }

    private static String describe(byte[] row) {
        return "row " + new String(row, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "·");
    }

    /** Keys in the order ORDER BY gives them: numbers by value (PostgreSQL numeric exactly, -0.0 = 0.0), text by bytes. */
    static int compareKeys(Object x, Object y) {
        if (x instanceof Number nx && y instanceof Number ny) {
            if ((nx instanceof Double || nx instanceof Float) || (ny instanceof Double || ny instanceof Float)) {
                double dx = nx.doubleValue();
                double dy = ny.doubleValue();
                return dx == dy ? 0 : Double.compare(dx, dy); // == makes -0.0 and 0.0 one key; NaN still sorts last
            }
            if (nx instanceof BigDecimal || ny instanceof BigDecimal || nx instanceof BigInteger || ny instanceof BigInteger) {
                return exact(nx).compareTo(exact(ny));
            }
            return Long.compare(nx.longValue(), ny.longValue());
        }
        if (x instanceof String sx && y instanceof String sy) {
            return Arrays.compareUnsigned(sx.getBytes(StandardCharsets.UTF_8), sy.getBytes(StandardCharsets.UTF_8));
        }
        int rank = Integer.compare(rank(x), rank(y)); // keys of mixed types: SQLite's order, NULL < numbers < text < blobs
        return rank != 0 ? rank : Arrays.compareUnsigned(Checksummer.encodeRow(x), Checksummer.encodeRow(y));
    }

    private static BigDecimal exact(Number n) {
        return n instanceof BigDecimal d ? d : n instanceof BigInteger i ? new BigDecimal(i) : BigDecimal.valueOf(n.longValue());
    }

    private static int rank(Object k) {
        return k == null ? 0 : k instanceof Number ? 1 : k instanceof byte[] ? 3 : 2;
    }
}
