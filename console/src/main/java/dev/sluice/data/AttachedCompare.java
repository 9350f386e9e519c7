package dev.sluice.data;

import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * A keyed diff of two SQLite tables done inside SQLite: one file ATTACHed (read only, nothing is written) to the other's
 * connection, changed and removed keys found by a LEFT JOIN on the key comparing every column with {@code IS} (and
 * {@code typeof} where the storage class may differ while the values compare equal: 1 and 1.0), added keys by
 * {@code NOT EXISTS} (run only when the counts say some exist). Native code, no value crosses JNI except the differing
 * keys, and the cost does not depend on how many rows differ. Integer keys are cut into ranges so that progress moves,
 * Ctrl-C is seen between ranges and, when neither side has uncommitted writes, both tiers' connections work at once
 * (each with the other's file attached).
 *
 * <p>An ATTACHed file is read as committed: a side whose connection holds uncommitted writes is therefore the one the
 * comparison runs on; when both have some, {@link #plan} declines and the caller streams instead. Inside a transaction
 * an attached file stays read-locked until the transaction ends, so a connection in one only attaches a WAL file (whose
 * writers a reader never blocks); when no connection can host, {@link #plan} declines as well. A key holding NULL is the
 * caller's to route elsewhere ({@link TableDiff}): the join's {@code =} never matches NULL with NULL and the integer
 * ranges leave NULL out.
 */
final class AttachedCompare {
    private static final String ALIAS_PREFIX = "sluice_diff_";
    /** Rows above which an integer key range is cut into {@link #RANGES} ranges (a query each: cheap, and progress moves). */
    static final long SPLIT_MIN_ROWS = 1_000;
    static final int RANGES = 16;

    /** One connection the comparison can run on, with the schemas a's and b's tables are found in there. */
    record Host(Tier tier, String schemaA, String schemaB, String attached) {
    }

    /** Where to run, or why not (for a usable plan on one host of two possible: why only that one). */
    record Plan(List<Host> hosts, String why) {
        boolean usable() {
            return hosts != null;
        }
    }

    /** Differences found in one key range, in key order. */
    static final class Found {
        final List<Object> removed = new ArrayList<>();
        final List<Object> changed = new ArrayList<>();
        final List<Object> added = new ArrayList<>();
        long removedAll;
        long changedAll;
        long addedAll;

        void add(int kind, Object key) {
            switch (kind) {
                case 0 -> {
                    if (++removedAll <= TableDiff.LISTED) {
                        removed.add(key);
                    }
                }
                case 1 -> {
                    if (++changedAll <= TableDiff.LISTED) {
                        changed.add(key);
                    }
                }
                default -> {
                    if (++addedAll <= TableDiff.LISTED) {
                        added.add(key);
                    }
                }
            }
        }
    }

    private final TableRef a;
    private final TableRef b;
    private final List<Column> colsA;
    private final List<Column> colsB;
    private final String keyA;
    private final String keyB;
    private final boolean integerKey;
    private final boolean textKey;
    /**
     * Both keys are their table's rowid (a single INTEGER PRIMARY KEY of a rowid table): always 64-bit integers, so the
     * join's {@code =} already says the keys are the same value of the same class and the row test leaves them out. The
     * {@code IS} and {@code typeof} on the key cost 60% more time than the comparison of every other column.
     */
    private boolean rowidKeys;

    AttachedCompare(TableRef a, TableRef b, List<Column> colsA, List<Column> colsB, String keyA, String keyB, boolean integerKey,
                    boolean textKey) {
        this.a = a;
        this.b = b;
        this.colsA = colsA;
        this.colsB = colsB;
        this.keyA = keyA;
        this.keyB = keyB;
        this.integerKey = integerKey;
        this.textKey = textKey;
    }

    // ---------------------------------------------------------------- where

    /**
     * Which connections can compare the two tables natively: the same connection when both tables are on it (one tier,
     * or two tiers routed through one step's connection), else a file ATTACHed to the other side's connection. Nothing is
     * attached yet; {@link #run} does that.
     */
    static Plan plan(TableRef a, TableRef b) {
        Tier ta = a.tier();
        Tier tb = b.tier();
        if (ta.engine() != Engine.SQLITE || tb.engine() != Engine.SQLITE) {
            return new Plan(null, "not SQLite on both sides");
        }
        if (ta == tb || TierInternals.routed(ta) && TierInternals.routed(tb)
                && TierInternals.connection(ta) == TierInternals.connection(tb)) {
            return new Plan(List.of(new Host(ta, TierInternals.schemaName(ta), TierInternals.schemaName(tb), null)), null);
        }
        if (TierInternals.routed(ta) || TierInternals.routed(tb)) {
            return new Plan(null, "a tier is routed through a step's shared connection");
        }
        if (ta.file() == null || tb.file() == null || memory(ta) || memory(tb)) {
            return new Plan(null, "an in-memory SQLite database cannot be attached");
        }
        boolean pendingA = pending(ta);
        boolean pendingB = pending(tb);
        if (pendingA && pendingB) {
            return new Plan(null, "both tiers have uncommitted writes, which an attached read would miss");
        }
        Host onA = new Host(ta, "main", null, tb.file().toAbsolutePath().toString());
        Host onB = new Host(tb, null, "main", ta.file().toAbsolutePath().toString());
        // Inside a transaction the attached file stays read-locked until it ends (DETACH waits for it): a rollback-journal
        // file would then refuse every writer for the rest of the step. Only a WAL file (readers never block writers) is
        // attached there.
        boolean onAOk = !ta.inTransaction() || wal(tb.file());
        boolean onBOk = !tb.inTransaction() || wal(ta.file());
        if (pendingA || pendingB || !onAOk || !onBOk) {
            Host only = pendingA ? onA : pendingB ? onB : onAOk ? onA : onBOk ? onB : null;
            if (only == null || only == onA && !onAOk || only == onB && !onBOk) {
                Tier host = only == null ? ta : only.tier();
                Tier other = host == ta ? tb : ta;
                return new Plan(null, "tier '" + host.name() + "' is in a transaction and " + other.file().getFileName()
                        + " is not in WAL mode: attached, it would stay locked against writers until the transaction ends");
            }
            Tier other = only.tier() == ta ? tb : ta;
            return new Plan(List.of(only), pendingA || pendingB ? "the other side's uncommitted writes are seen only there"
                    : "tier '" + other.name() + "' is in a transaction and " + only.tier().file().getFileName()
                    + " is not in WAL mode: not attached there, where it would stay locked until the transaction ends");
        }
        return new Plan(List.of(onA, onB), null);
    }

    /** WAL mode as the file's header says it (bytes 18 and 19 are 2); an empty or unreadable file is not. */
    static boolean wal(Path file) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] h = in.readNBytes(20);
            return h.length == 20 && h[18] == 2 && h[19] == 2;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean memory(Tier t) {
        String url = t.config().url();
        return url.contains(":memory:") || url.contains("mode=memory") || url.equals("jdbc:sqlite:");
    }

    /** Uncommitted writes on the tier's connection (an open step's), which only that connection sees. */
    private static boolean pending(Tier t) {
        return t.inTransaction() && !t.readOnly() && TableCopy.hasPendingWrites(t);
    }

    // ---------------------------------------------------------------- run

    /**
     * Compares; returns the differences in key order, or null (with nothing changed) when the key has no index SQLite can
     * look rows up by, where a join would scan the other table once per row. {@code rows} hears progress (thread-safe).
     */
    Found run(Plan plan, long na, long nb, LongConsumer rows) {
        List<Host> hosts = new ArrayList<>();
        try {
            for (Host h : plan.hosts()) {
                hosts.add(attach(h));
            }
            Host first = hosts.get(0);
            rowidKeys = integerKey && rowid(first, first.schemaA(), a.name(), keyA) && rowid(first, first.schemaB(), b.name(), keyB);
            if (!indexed(first)) {
                return null;
            }
            List<Object[]> ranges = ranges(first, Math.max(na, nb));
            List<Found> found = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                found.add(new Found());
            }
            long perRange = Math.max(na, nb) / ranges.size();
            // Changed and removed: every row of a is looked up in b.
            inParallel(hosts, ranges.size(), (h, i) -> {
                join(h, ranges.get(i), found.get(i));
                if (rows != null) {
                    rows.accept(perRange);
                }
            });
            long removed = found.stream().mapToLong(f -> f.removedAll).sum();
            // Rows of b matched by a key of a: na - removed. Only when b has more is the other direction worth a scan.
            if (nb > na - removed) {
                inParallel(hosts, ranges.size(), (h, i) -> added(h, ranges.get(i), found.get(i)));
            }
            return merged(found);
        } finally {
            for (Host h : hosts) {
                detach(h);
            }
        }
    }

    private interface RangeWork {
        void run(Host h, int range) throws SQLException;
    }

    /** Each host takes the next range until none is left; the first host works on the calling thread. */
    private static void inParallel(List<Host> hosts, int ranges, RangeWork work) {
        AtomicInteger next = new AtomicInteger();
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (Host h : hosts.subList(1, hosts.size())) {
            // A thread of its own: the common pool has one worker on two cores, and these block on SQLite.
            CompletableFuture<Void> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    drain(h, next, ranges, work);
                    f.complete(null);
                } catch (Throwable e) {
                    next.set(ranges); // the others stop at their next range
                    f.completeExceptionally(e);
                }
            }, "sluice-diff-" + h.tier().name());
            t.setDaemon(true);
            t.start();
            others.add(f);
        }
        RuntimeException failed = null;
        try {
            drain(hosts.get(0), next, ranges, work);
        } catch (RuntimeException e) {
            next.set(ranges);
            failed = e;
        }
        for (CompletableFuture<Void> f : others) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (failed == null) {
                    failed = e.getCause() instanceof RuntimeException re ? re : e;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private static void drain(Host h, AtomicInteger next, int ranges, RangeWork work) {
        long cancels = TierInternals.cancels(h.tier());
        for (int i = next.getAndIncrement(); i < ranges; i = next.getAndIncrement()) {
            if (TierInternals.cancels(h.tier()) != cancels) {
                throw new dev.sluice.error.SluiceException(dev.sluice.error.ErrorCode.CANCELLED, "diff cancelled on tier '"
                        + h.tier().name() + "'.");
            }
            try {
                work.run(h, i);
            } catch (SQLException e) {
                throw TierInternals.fail(h.tier(), e, "diff");
            }
        }
    }

    private static Found merged(List<Found> parts) {
        Found all = new Found();
        for (Found f : parts) {
            f.removed.forEach(k -> all.add(0, k));
            f.changed.forEach(k -> all.add(1, k));
            f.added.forEach(k -> all.add(2, k));
            all.removedAll += f.removedAll - f.removed.size();
            all.changedAll += f.changedAll - f.changed.size();
            all.addedAll += f.addedAll - f.added.size();
        }
        return all;
    }

    // ---------------------------------------------------------------- SQL

    private String tableA(Host h) {
        return Identifiers.quote(h.schemaA()) + "." + Identifiers.quote(a.name()) + " AS a";
    }

    private String tableB(Host h) {
        return Identifiers.quote(h.schemaB()) + "." + Identifiers.quote(b.name()) + " AS b";
    }

    private String ka() {
        return "a." + Identifiers.quote(keyA);
    }

    private String kb() {
        return "b." + Identifiers.quote(keyB);
    }

    private String binary() {
        return textKey ? " COLLATE BINARY" : "";
    }

    /** Rows equal as the checksum sees them: the same storage class and the same value (text and blobs byte for byte). */
    private String sameRow() {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < colsA.size(); i++) {
            if (rowidKeys && colsA.get(i).name().equals(keyA) && colsB.get(i).name().equals(keyB)) {
                continue; // the join's b.key = a.key between two rowids: the same integer
            }
            String x = "a." + Identifiers.quote(colsA.get(i).name());
            String y = "b." + Identifiers.quote(colsB.get(i).name());
            // Unary + drops the column's affinity (no conversion between the sides); BINARY compares text by its bytes.
            terms.add("+" + x + " IS +" + y + " COLLATE BINARY");
            if (!sameClassWhenEqual(colsA.get(i).type(), colsB.get(i).type())) {
                terms.add("typeof(" + x + ") = typeof(" + y + ")");
            }
        }
        return String.join(" AND ", terms);
    }

    /**
     * Whether two values of these declared types that compare equal with IS must have the same storage class. Only an
     * INTEGER and a REAL can compare equal across classes (1 IS 1.0); columns of TEXT affinity (numbers stored as text)
     * or REAL affinity (integers read as reals) on both sides never hold that pair. INTEGER and NUMERIC affinity do: an
     * integral real that does not fit the conversion's range (-9223372036854775808.0) stays REAL while IS finds it equal
     * to the integer, so typeof is compared there too (as {@link SqliteCopyProof} does); BLOB and ANY keep what they get.
     */
    static boolean sameClassWhenEqual(String typeA, String typeB) {
        char x = SqliteDdl.affinity(typeA);
        return (x == 'T' || x == 'R') && x == SqliteDdl.affinity(typeB);
    }


    private String joinSql(Host h, String range) {
        return "SELECT " + ka() + ", " + kb() + " IS NULL FROM " + tableA(h) + " LEFT JOIN " + tableB(h) + " ON " + kb() + " = " + ka()
                + binary() + " WHERE " + (range == null ? "" : range + " AND ") + "(" + kb() + " IS NULL OR NOT (" + sameRow() + "))"
                + " ORDER BY " + ka() + binary();
    }

    private String addedSql(Host h, String range) {
        return "SELECT " + kb() + " FROM " + tableB(h) + " WHERE " + (range == null ? "" : range + " AND ") + "NOT EXISTS (SELECT 1 FROM "
                + tableA(h) + " WHERE " + ka() + " = " + kb() + binary() + ") ORDER BY " + kb() + binary();
    }

    private static String range(String key, Object[] r) {
        if (r == null) {
            return null;
        }
        return (r[0] == null ? "" : key + " >= " + r[0]) + (r[0] != null && r[1] != null ? " AND " : "") + (r[1] == null ? "" : key + " < " + r[1]);
    }

    /**
     * Whether {@code key} is {@code schema.table}'s rowid: its only primary-key column, declared INTEGER, in a table with
     * no index of origin 'pk' (a WITHOUT ROWID table, or INTEGER PRIMARY KEY DESC, keeps text or reals in such a key).
     */
    private static boolean rowid(Host h, String schema, String table, String key) {
        Connection c = TierInternals.connection(h.tier());
        String s = Identifiers.quote(schema) + ".";
        String sql = "PRAGMA " + s + "table_info(" + Identifiers.quote(table) + ")";
        try (Statement st = c.createStatement()) {
            List<String> pk = new ArrayList<>();
            boolean integer = false;
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    if (rs.getInt("pk") > 0) {
                        pk.add(rs.getString("name"));
                        integer = "INTEGER".equalsIgnoreCase(rs.getString("type"));
                    }
                }
            }
            if (pk.size() != 1 || !pk.get(0).equals(key) || !integer) {
                return false;
            }
            sql = "PRAGMA " + s + "index_list(" + Identifiers.quote(table) + ")";
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    if ("pk".equals(rs.getString("origin"))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (SQLException e) {
            throw TierInternals.fail(h.tier(), e, sql);
        }
    }

    /** Both lookups go through an index (the rowid, the key's own index): otherwise a join would scan once per row. */
    private boolean indexed(Host h) {
        for (String sql : List.of(joinSql(h, null), addedSql(h, null))) {
            StringBuilder plan = new StringBuilder();
            try (Statement st = TierInternals.connection(h.tier()).createStatement();
                 ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                while (rs.next()) {
                    plan.append(rs.getString("detail")).append('\n');
                }
            } catch (SQLException e) {
                throw TierInternals.fail(h.tier(), e, sql);
            }
            String p = plan.toString();
            if (p.contains("AUTOMATIC") || !p.contains("SEARCH")) {
                return false;
            }
        }
        return true;
    }

    /** Integer keys over many rows: {@link #RANGES} ranges [lo, hi) covering both sides' keys; otherwise one open range. */
    private List<Object[]> ranges(Host h, long rows) {
        List<Object[]> out = new ArrayList<>();
        if (!integerKey || rows < SPLIT_MIN_ROWS) {
            out.add(null);
            return out;
        }
        // A lone min() or max() per subquery: SQLite answers each from one end of the b-tree, where min() and max() in
        // one SELECT read the whole table (2.5 s of a 5 s diff at 10M rows; SegmentedChecksum asks the same way).
        String sql = "SELECT min(lo), max(hi) FROM (SELECT (SELECT min(" + ka() + ") FROM " + tableA(h) + ") lo, (SELECT max(" + ka()
                + ") FROM " + tableA(h) + ") hi UNION ALL SELECT (SELECT min(" + kb() + ") FROM " + tableB(h) + "), (SELECT max("
                + kb() + ") FROM " + tableB(h) + "))";
        long min;
        long max;
        try (Statement st = TierInternals.connection(h.tier()).createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            if (rs.getObject(1) == null || !(rs.getObject(1) instanceof Number) || !(rs.getObject(2) instanceof Number)) {
                out.add(null);
                return out;
            }
            min = rs.getLong(1);
            max = rs.getLong(2);
        } catch (SQLException e) {
            throw TierInternals.fail(h.tier(), e, sql);
        }
        double step = ((double) max - min + 1) / RANGES;
        Object lo = null; // the first and last ranges are open: keys of other types (and NULL) are still compared
        for (int i = 1; i < RANGES; i++) {
            long p = min + (long) Math.ceil(step * i);
            if (p > min && p <= max && (lo == null || p > (Long) lo)) {
                out.add(new Object[]{lo, p});
                lo = p;
            }
        }
        out.add(new Object[]{lo, null});
        return out;
    }

    private void join(Host h, Object[] r, Found f) throws SQLException {
        try (PreparedStatement ps = TierInternals.connection(h.tier()).prepareStatement(joinSql(h, range(ka(), r)));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                f.add(rs.getInt(2) == 1 ? 0 : 1, key(rs));
            }
        }
    }

    private void added(Host h, Object[] r, Found f) throws SQLException {
        try (PreparedStatement ps = TierInternals.connection(h.tier()).prepareStatement(addedSql(h, range(kb(), r)));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                f.add(2, key(rs));
            }
        }
    }

    /** The key as bisection lists it: integers as Long, text as String, blobs as bytes. */
    private static Object key(ResultSet rs) throws SQLException {
        Object k = rs.getObject(1);
        return k instanceof Integer i ? (Object) i.longValue() : k;
    }

    // ---------------------------------------------------------------- attach

    private Host attach(Host h) {
        if (h.attached() == null) {
            return h;
        }
        Connection c = TierInternals.connection(h.tier());
        try (Statement st = c.createStatement()) {
            String alias = null;
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("PRAGMA database_list")) {
                while (rs.next()) {
                    names.add(rs.getString("name"));
                    String file = rs.getString("file");
                    if (alias == null && file != null && !"main".equals(rs.getString("name"))
                            && Path.of(file).toAbsolutePath().normalize().equals(Path.of(h.attached()).normalize())) {
                        alias = rs.getString("name"); // attached already (a copy or diff earlier in this step)
                    }
                }
            }
            boolean ours = alias == null;
            if (ours) {
                int n = 1;
                while (names.contains(ALIAS_PREFIX + n)) {
                    n++;
                }
                alias = ALIAS_PREFIX + n;
                try (PreparedStatement ps = c.prepareStatement("ATTACH DATABASE ? AS " + Identifiers.quote(alias))) {
                    ps.setString(1, h.attached());
                    ps.execute();
                }
            }
            String schemaA = h.schemaA() == null ? alias : h.schemaA();
            String schemaB = h.schemaB() == null ? alias : h.schemaB();
            return new Host(h.tier(), schemaA, schemaB, ours ? alias : null);
        } catch (SQLException e) {
            throw TierInternals.fail(h.tier(), e, "ATTACH DATABASE '" + h.attached() + "'");
        }
    }

    /** Outside a transaction at once; inside one when it ends (SQLite refuses DETACH of a file the transaction read). */
    private static void detach(Host h) {
        if (h.attached() == null) {
            return;
        }
        if (h.tier().inTransaction()) {
            TierInternals.detachWhenTransactionEnds(h.tier(), h.attached());
            return;
        }
        try (Statement st = TierInternals.connection(h.tier()).createStatement()) {
            st.execute("DETACH DATABASE " + Identifiers.quote(h.attached()));
        } catch (SQLException e) {
            // Left attached: harmless to reads, and the next diff reuses it.
        }
    }
}
