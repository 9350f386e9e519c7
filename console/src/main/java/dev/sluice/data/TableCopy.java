package dev.sluice.data;

import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.ChecksumStream;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Format;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Index;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.SqliteRaw;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;

/**
 * Copies tables between tiers, verified, all or nothing.
 *
 * <p><b>How.</b> SQLite → SQLite runs inside SQLite: the source file is ATTACHed to the target connection and
 * {@code INSERT INTO t SELECT * FROM src.t} keeps the engine's raw-copy shortcut (a WHERE or a column list disables it).
 * Anything → PostgreSQL streams rows through {@code COPY … FROM STDIN} (CSV, constant memory). Other pairs use batched
 * INSERTs. A missing target table is created from the source (indexes and the PostgreSQL primary key after the load).
 *
 * <p><b>Atomicity.</b> Standalone (no transaction open on the target) the copy opens its own transaction; ATTACH runs
 * before BEGIN and DETACH after COMMIT/ROLLBACK. Inside a caller's open transaction (a playbook step) the copy runs in a
 * SAVEPOINT, so a failure undoes only the copy and the caller's transaction stays usable. SQLite allows ATTACH inside a
 * transaction but not DETACH of a database that transaction read, so the tier DETACHes the source as soon as that
 * transaction ends ({@link Tier#detachWhenTransactionEnds}): no attachment outlives the step that made it. When the source tier itself has uncommitted writes, an attached read would
 * miss them: the copy then streams through the source's own connection instead (slower, correct) and says so.
 *
 * <p><b>Verification.</b> A whole SQLite table into an empty one is proved equal inside SQLite ({@link SqliteCopyProof})
 * while the source is hashed on its own connection, and that one checksum is recorded for both sides. Otherwise the
 * source checksum is taken while copying (streaming paths) or on the source's own connection (ATTACH path), the target's
 * inside the transaction, before commit. A mismatch rolls back.
 */
public final class TableCopy {
    private static final String ALIAS_PREFIX = "sluice_src_";
    /**
     * Benchmarks' lever: "during" reads the source checksum during the load instead of while SQLite compares (measured
     * slower: the INSERT and the reader contend in SQLite's allocator), "checksums" skips the proof and compares two
     * checksums (the verification before issue 18).
     */
    static final String HASH_SOURCE_PROPERTY = "sluice.copy.hashSource";

    private final Tier to;
    private final CopyOptions opt;
    private final List<String> attachedHere = new ArrayList<>();
    /** Whether this copy runs its own transaction (then it DETACHes itself), or a caller's (then the tier does, when it ends). */
    private boolean ownTransaction;
    /** The running table's progress (rows streamed; a single INSERT … SELECT reports only its end). */
    private Ticker tick;

    private TableCopy(Tier to, CopyOptions opt) {
        this.to = to;
        this.opt = opt;
    }

    /** Copies one table; see the class comment for how, and for what a failure leaves behind (nothing). */
    public static CopyResult copy(Tier from, String table, Tier to, CopyOptions options) {
        return consolidate(to, List.of(new TableRef(from, table)), options).get(0);
    }

    /**
     * Copies several tables (of one or more tiers) into {@code to} in one transaction: all of them or none. With
     * {@code options.into()} every source goes into that one table (consolidation); otherwise each keeps its name.
     */
    public static List<CopyResult> consolidate(Tier to, List<TableRef> sources, CopyOptions options) {
        CopyOptions opt = options == null ? CopyOptions.defaults() : options;
        TierInternals.requireOwnConnection(to, "copy");
        for (TableRef s : sources) {
            TierInternals.requireOwnConnection(s.tier(), "copy");
        }
        if (to.readOnly()) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + to.name() + "' is read-only; refused to copy into it. "
                    + "Remove \"readOnly\" from its entry in sluice.json if it must change.");
        }
        for (TableRef s : sources) {
            s.tier().columns(s.name()); // refuses an unknown table with the list of tables
            String into = opt.into() == null ? s.name() : opt.into();
            if (s.tier() == to && into.equals(s.name())) {
                throw new SluiceException(ErrorCode.USAGE, "Copy of " + s + " onto itself refused. Give another target with into: 'name'.");
            }
        }
        return new TableCopy(to, opt).run(sources);
    }

    private List<CopyResult> run(List<TableRef> sources) {
        boolean own = !to.inTransaction();
        ownTransaction = own;
        boolean sqliteTarget = to.engine() == Engine.SQLITE;
        String restoreJournal = null;
        List<String> notes = new ArrayList<>();
        try {
            if (own && sqliteTarget) {
                detachStale();
                restoreJournal = maybeLeaveWal(sources, notes);
            }
            List<CopyResult> results = new ArrayList<>();
            if (own) {
                to.begin();
            }
            Savepoint sp = own ? null : savepoint();
            try {
                for (TableRef s : sources) {
                    results.add(copyOne(s.tier(), s.name(), notes));
                    notes.clear();
                }
                if (own) {
                    long c0 = System.nanoTime();
                    TierInternals.commit(to);
                    // A standalone copy's time includes its commit (the fsync of everything it wrote).
                    int last = results.size() - 1;
                    results.set(last, results.get(last).plusLoadTime(Duration.ofNanos(System.nanoTime() - c0)));
                } else {
                    release(sp);
                }
            } catch (RuntimeException e) {
                if (own) {
                    safely(to::rollback);
                } else {
                    rollbackTo(sp);
                }
                throw e;
            }
            return results;
        } finally {
            if (own) {
                detachOurs();
            }
            if (restoreJournal != null) {
                String mode = String.valueOf(to.query("PRAGMA main.journal_mode = " + restoreJournal).value());
                opt.say("tier '" + to.name() + "': journal_mode back to " + mode + ".");
            }
        }
    }

    // ---------------------------------------------------------------- one table

    /** The watch a fresh load opened on its source: closed however the copy of that table ends (idempotent close). */
    private SourceWatch openWatch;

    private CopyResult copyOne(Tier from, String table, List<String> notes) {
        try {
            return copyOneWatched(from, table, notes);
        } finally {
            if (openWatch != null) {
                openWatch.close();
                openWatch = null;
            }
        }
    }

    private CopyResult copyOneWatched(Tier from, String table, List<String> notes) {
        proofFailed = null;
        String into = opt.into() == null ? table : opt.into();
        List<Column> srcCols = selected(from, table);
        List<String> cols = srcCols.stream().map(Column::name).toList();
        boolean existed = to.hasTable(into);
        long before = existed ? count(to, into) : 0;
        long t0 = System.nanoTime();
        Load load;
        // The total is one more count of the source, paid only when someone watches (a terminal, a test's listener).
        long total = opt.events().listening() ? countWhere(from, table, opt.where()) : 0;
        try (Ticker t = Ticker.start(opt.events(), "copy " + from.name() + "." + table + " → " + to.name(), total)) {
            tick = t;
            if (from.engine() == Engine.SQLITE && to.engine() == Engine.SQLITE && from.file() != null && to.file() != null) {
                load = sqliteToSqlite(from, table, into, srcCols, existed, before, notes);
            } else if (to.engine() == Engine.POSTGRESQL) {
                load = toPostgres(from, table, into, srcCols, existed, notes);
            } else {
                if (!existed) {
                    to.exec(TypeMapping.sqliteCreate(into, srcCols, from.primaryKey(table).stream().filter(cols::contains).toList()));
                }
                load = streamInserts(from, table, into, cols, "batched INSERT");
            }
            t.finish(load.rows());
        }
        long v0 = load.loadedAt() > 0 ? load.loadedAt() : System.nanoTime();
        long loaded = v0 - t0;
        Checksum source = load.sourceChecksum();
        Checksum target = null;
        boolean verified = false;
        if (opt.verify() && load.proof() != null) {
            Checksum both = proveInSqlite(from, table, into, load, notes);
            if (both != null) {
                source = both;
                target = both;
                verified = true;
            }
        }
        if (opt.verify() && !verified) {
            List<String> compared = cols;
            if (to.engine() == Engine.POSTGRESQL && opt.castTimestamps()) {
                compared = srcCols.stream().filter(c -> !TypeMapping.isCastTimestamp(c.type(), true)).map(Column::name).toList();
                if (compared.size() < cols.size()) {
                    notes.add("timestamp columns cast to timestamptz are compared by count only");
                    source = new Checksummer(from).checksum(table, compared, opt.where());
                }
            }
            long after = count(to, into);
            // Its own phase of progress: the rows both checksums still read (the source's, when the load did not hash
            // it; the target's, when it held nothing before).
            long toRead = (source == null ? load.rows() : 0) + (before == 0 ? after : 0);
            try (Ticker v = Ticker.start(toRead > 0 ? opt.events() : DataEvents.NONE, "verify " + from.name() + "." + table + " → " + to.name() + "." + into, toRead)) {
                LongConsumer read = v.adding();
                CompletableFuture<Checksum> pending = null;
                if (source == null) {
                    // ATTACH path: the source is read on its own connection while the target is read on its own, in parallel
                    // (during the load it would slow the INSERT down: both compete for SQLite's global allocator mutex).
                    List<String> names = compared;
                    pending = from == to
                            ? CompletableFuture.completedFuture(new Checksummer(from).reportingRows(read).checksum(table, names, opt.where()))
                            : CompletableFuture.supplyAsync(() -> new Checksummer(from).reportingRows(read).checksum(table, names, opt.where()));
                }
                if (before == 0) {
                    try {
                        target = new Checksummer(to).reportingRows(read).checksum(into, compared, null);
                    } finally {
                        source = pending == null ? source : join(pending);
                    }
                    verified = target.equals(source) && after == source.rows();
                } else {
                    source = pending == null ? source : join(pending);
                    notes.add("target held " + Format.count(before) + " rows before: verified by count only");
                    target = null;
                    verified = after - before == source.rows();
                }
                v.finish(toRead);
            }
            if (!verified) {
                throw new SluiceException(ErrorCode.EXPECTATION, "Copy " + from.name() + "." + table + " → " + to.name() + "." + into
                        + " did not verify: source " + source + ", target " + (target != null ? target : Format.count(after - before) + " rows added")
                        + (proofFailed != null ? " (first difference " + proofFailed + ")" : "")
                        + ". Nothing was kept (rolled back). Look for values the target's column types change, or copy with verify: false to keep them anyway.");
            }
        }
        long verifyNanos = System.nanoTime() - v0;
        long rows = source != null ? source.rows() : load.rows();
        double secs = Math.max(loaded, 1) / 1e9;
        CopyResult r = new CopyResult(from.name() + "." + table, to.name() + "." + into, rows, Duration.ofNanos(loaded), rows / secs,
                load.method(), opt.verify() ? source : null, target, verified, Duration.ofNanos(verifyNanos), notes);
        TierInternals.observe(to, "copy", List.of(from.name(), table, into), r);
        return r;
    }

    /**
     * @param loadedAt nanoTime when the rows were in (before waiting for a concurrent source checksum), 0: at return
     * @param proof    the in-SQLite comparison of a fresh SQLite → SQLite load, null where it does not apply
     */
    private record Load(long rows, String method, Checksum sourceChecksum, long loadedAt, Proof proof) {
        Load(long rows, String method, Checksum sourceChecksum) {
            this(rows, method, sourceChecksum, 0, null);
        }
    }

    /**
     * What a fresh SQLite → SQLite load leaves for its verification: the proof, the source's schema name on the target's
     * connection, the source checksum being read on the source's own connection (null: read it afterwards, on the
     * target's), where that checksum reports its rows, and the watch on the source's commits.
     */
    private record Proof(SqliteCopyProof query, String schema, CompletableFuture<Checksum> pendingSource, Relay rows, SourceWatch watch) {
    }

    /**
     * Verifies a fresh SQLite → SQLite load without hashing the target: {@link SqliteCopyProof} compares every row in
     * SQLite, and one engine-independent checksum (the source's, read on its own connection on the other core while
     * SQLite compares) is then the checksum of both. Returns that checksum, or null when the proof does not hold (the
     * caller then compares two checksums as for any other load, which decides, and refuses with the first differing row).
     */
    private Checksum proveInSqlite(Tier from, String table, String into, Load load, List<String> notes) {
        Proof p = load.proof();
        List<String> cols = selected(from, table).stream().map(Column::name).toList();
        Checksum sum = null;
        CompletableFuture<Checksum> pending = p.pendingSource();
        try (Ticker v = Ticker.start(opt.events(), "verify " + from.name() + "." + table + " → " + to.name() + "." + into, load.rows());
             SourceWatch watch = p.watch()) {
            p.rows().forwardTo(v.adding());
            if (pending == null && watch != null) {
                pending = hashSource(from, table, p.rows()); // while SQLite compares, on the other core
            }
            long after = count(to, into);
            long sourceRows = ((Number) to.query("SELECT count(*) FROM " + Identifiers.quote(p.schema()) + "." + Identifiers.quote(table))
                    .value()).longValue();
            long matched = p.query().matchingRows(to);
            if (pending != null) {
                sum = join(pending);
                pending = null;
            }
            if (matched != after || after != sourceRows) {
                proofFailed = p.query().firstDifference(to);
                return null;
            }
            if (sum == null || sum.rows() != sourceRows || watch == null || watch.changed()) {
                // Read on the target's connection: the very rows the INSERT read (the same transaction), which a commit
                // to the source since then cannot change.
                sum = new Checksummer(to).reportingRows(p.rows()).checksum(into, cols, null);
            }
            v.finish(load.rows());
        } finally {
            if (pending != null) {
                CompletableFuture<Checksum> f = pending;
                safely(() -> join(f));
            }
        }
        notes.add("verified in SQLite: every row compared with the source, value and storage class; one checksum recorded for both");
        return sum;
    }

    private static CompletableFuture<Checksum> hashSource(Tier from, String table, Relay rows) {
        return CompletableFuture.supplyAsync(() -> new Checksummer(from).reportingRows(rows).checksum(table, null, null));
    }

    /** The first differing row the proof found, for the refusal's message when the checksums then differ too. */
    private String proofFailed;

    /** Rows read by a checksum that starts before anyone listens for them: held until the verification's progress starts. */
    private static final class Relay implements LongConsumer {
        private long held;
        private LongConsumer to;

        @Override
        public synchronized void accept(long rows) {
            if (to != null) {
                to.accept(rows);
            } else {
                held += rows;
            }
        }

        synchronized void forwardTo(LongConsumer c) {
            to = c;
            if (c != null && held > 0) {
                c.accept(held);
            }
            held = 0;
        }
    }

    /**
     * Did anyone commit to the source since the watch began? {@code PRAGMA data_version} on one connection of its own
     * changes exactly when another connection commits, so a checksum read on the source's connection and the rows the
     * target's connection copied are the same rows when it has not changed.
     */
    private static final class SourceWatch implements AutoCloseable {
        private final Connection c;
        private final long start;

        private SourceWatch(Connection c) throws SQLException {
            this.c = c;
            this.start = version();
        }

        static SourceWatch open(Tier from) {
            Connection c = null;
            try {
                org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
                cfg.setReadOnly(true);
                c = DriverManager.getConnection("jdbc:sqlite:" + from.file().toAbsolutePath(), cfg.toProperties());
                return new SourceWatch(c);
            } catch (SQLException e) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // read only; nothing to lose
                    }
                }
                return null; // no watch: the checksum is read on the target's connection instead
            }
        }

        private long version() throws SQLException {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        boolean changed() {
            try {
                return version() != start;
            } catch (SQLException e) {
                return true;
            }
        }

        @Override
        public void close() {
            try {
                c.close();
            } catch (SQLException e) {
                // read only; nothing to lose
            }
        }
    }

    private List<Column> selected(Tier from, String table) {
        List<Column> all = from.columns(table);
        if (opt.columns() == null) {
            return all;
        }
        List<Column> out = new ArrayList<>();
        for (String c : opt.columns()) {
            out.add(all.stream().filter(x -> x.name().equalsIgnoreCase(c)).findFirst().orElseThrow(() -> new SluiceException(
                    ErrorCode.USAGE, "Tier '" + from.name() + "': table '" + table + "' has no column '" + c + "'. Columns: "
                    + String.join(", ", all.stream().map(Column::name).toList()) + ".")));
        }
        return out;
    }

    // ---------------------------------------------------------------- SQLite → SQLite

    private Load sqliteToSqlite(Tier from, String table, String into, List<Column> srcCols, boolean existed, long before, List<String> notes) {
        boolean sameFile = sameFile(from, to);
        if (!sameFile && from.inTransaction() && hasPendingWrites(from)) {
            notes.add("tier '" + from.name() + "' has uncommitted writes: streamed through its own connection so they are included"
                    + " (commit it first for the faster ATTACH path)");
            createSqliteTarget(from, table, into, existed, srcCols);
            Load l = streamInserts(from, table, into, srcCols.stream().map(Column::name).toList(), "streamed INSERT (source busy)");
            createSqliteIndexes(from, table, into, existed);
            return l;
        }
        String schema = sameFile ? "main" : attach(from);
        createSqliteTarget(from, table, into, existed, srcCols);
        boolean whole = opt.columns() == null && (opt.where() == null || opt.where().isBlank());
        if (whole) {
            // The raw-copy shortcut copies index b-trees page by page when the target's indexes match the source's:
            // cheaper than building them after the load, which is what every other path does.
            createSqliteIndexes(from, table, into, existed);
        }
        String cols = String.join(", ", srcCols.stream().map(c -> Identifiers.quote(c.name())).toList());
        String sql = whole
                ? "INSERT INTO main." + Identifiers.quote(into) + " SELECT * FROM " + Identifiers.quote(schema) + "." + Identifiers.quote(table)
                : "INSERT INTO main." + Identifiers.quote(into) + " (" + cols + ") SELECT " + cols + " FROM " + Identifiers.quote(schema)
                + "." + Identifiers.quote(table) + (opt.where() == null || opt.where().isBlank() ? "" : " WHERE " + opt.where());
        // A whole table into an empty one is proved in SQLite afterwards, its one checksum read meanwhile on the source's
        // own connection (another core); anything else is verified by two checksums. The watch starts before the INSERT
        // reads anything: a commit to the source from then on means the checksum may not be of the rows copied.
        SqliteCopyProof proof = opt.verify() && whole && before == 0 && !"checksums".equals(System.getProperty(HASH_SOURCE_PROPERTY))
                ? SqliteCopyProof.of(from, table, to, schema, into, srcCols) : null;
        Relay relay = new Relay();
        SourceWatch watch = null;
        CompletableFuture<Checksum> pending = null;
        // The source may be hashed on its own connection only when that connection holds no older snapshot (no
        // transaction of its own) and this INSERT is the target transaction's first read of the attached file (attached
        // just now): then the watch, opened before the INSERT, sees every commit that could part the two reads. Else
        // the checksum is read on the target's connection, in the very transaction the INSERT read.
        if (proof != null && !sameFile && attachedNow && !from.inTransaction()) {
            watch = SourceWatch.open(from);
            openWatch = watch;
            if (watch != null && "during".equals(System.getProperty(HASH_SOURCE_PROPERTY))) {
                pending = hashSource(from, table, relay);
            }
        }
        int n;
        // One statement: on a watched raw copy, its progress is estimated from SQLite's VM steps (else 0, then 100%).
        LoadProgress steps = whole && tick != null ? LoadProgress.watch(to, sql, tick.adding()) : null;
        try {
            n = to.exec(sql);
        } catch (RuntimeException e) {
            if (pending != null) {
                CompletableFuture<Checksum> p = pending;
                safely(() -> join(p));
            }
            if (watch != null) {
                watch.close();
            }
            throw e;
        } finally {
            if (steps != null) {
                steps.close();
            }
        }
        if (!whole) {
            createSqliteIndexes(from, table, into, existed);
        }
        String method = sameFile ? "INSERT … SELECT" : "ATTACH + INSERT … SELECT" + (whole ? " (raw copy)" : "");
        return new Load(n, method, null, 0, proof == null ? null : new Proof(proof, schema, pending, relay, watch));
    }

    private void createSqliteTarget(Tier from, String table, String into, boolean existed, List<Column> srcCols) {
        if (existed) {
            return;
        }
        if (opt.columns() == null) {
            String ddl = String.valueOf(from.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).value());
            to.exec(SqliteDdl.renameTable(ddl, into));
        } else {
            List<String> pk = from.primaryKey(table).stream().filter(p -> srcCols.stream().anyMatch(c -> c.name().equals(p))).toList();
            to.exec(TypeMapping.sqliteCreate(into, srcCols, pk));
        }
    }

    /** Indexes of a table this copy created: before a raw copy (copied with the rows), after any other load (one sorted build each). */
    private void createSqliteIndexes(Tier from, String table, String into, boolean existed) {
        if (existed || opt.columns() != null) {
            return;
        }
        from.each("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                List.of(table), r -> {
                    String name = (String) r.get(0);
                    String target = into.equals(table) && !to.hasIndex(name) ? name : into + "_" + name;
                    to.exec(SqliteDdl.renameIndex((String) r.get(1), target, into));
                });
    }

    /** Whether the last {@link #attach} attached the file (false: it was attached already, maybe read earlier in the transaction). */
    private boolean attachedNow;

    private String attach(Tier from) {
        String file = from.file().toAbsolutePath().toString();
        attachedNow = false;
        for (var r : to.query("PRAGMA database_list")) {
            if (file.equals(r.get("file")) && !"main".equals(r.get("name"))) {
                return (String) r.get("name");
            }
        }
        attachedNow = true;
        int n = 1;
        List<Object> names = to.query("SELECT name FROM pragma_database_list").values();
        while (names.contains(ALIAS_PREFIX + n)) {
            n++;
        }
        String alias = ALIAS_PREFIX + n;
        to.exec("ATTACH DATABASE ? AS " + Identifiers.quote(alias), file);
        if (ownTransaction) {
            attachedHere.add(alias);
        } else {
            // SQLite refuses DETACH inside the transaction that read the file: the tier detaches it when the step ends,
            // so the source's file is never held by the target's connection into a later step (issue 14).
            TierInternals.detachWhenTransactionEnds(to, alias);
        }
        return alias;
    }

    private void detachOurs() {
        for (String a : attachedHere) {
            safely(() -> to.exec("DETACH DATABASE " + Identifiers.quote(a)));
        }
        attachedHere.clear();
    }

    /** Sources left attached by copies made inside a transaction (DETACH is not allowed there). */
    private void detachStale() {
        for (Object name : to.query("SELECT name FROM pragma_database_list").values()) {
            if (String.valueOf(name).startsWith(ALIAS_PREFIX)) {
                safely(() -> to.exec("DETACH DATABASE " + Identifiers.quote(String.valueOf(name))));
            }
        }
    }

    private static boolean sameFile(Tier a, Tier b) {
        return a == b || a.file().toAbsolutePath().normalize().equals(b.file().toAbsolutePath().normalize());
    }

    /** Does some connection hold the source's write lock (its own open step, most likely)? Probed without waiting. */
    static boolean hasPendingWrites(Tier from) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + from.file().toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            try {
                st.execute("BEGIN IMMEDIATE");
                st.execute("ROLLBACK");
                return false;
            } catch (SQLException e) {
                return true;
            }
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * DESIGN §6: one huge transaction into a WAL target writes everything twice. For a big standalone load the target goes
     * to the rollback journal and back to WAL afterwards: a non-transactional action, so it is announced first.
     */
    private String maybeLeaveWal(List<TableRef> sources, List<String> notes) {
        if (opt.walSwitchRows() <= 0 || !"wal".equalsIgnoreCase(String.valueOf(to.query("PRAGMA main.journal_mode").value()))) {
            return null;
        }
        long rows = 0;
        for (TableRef s : sources) {
            if (s.tier().engine() != Engine.SQLITE) {
                return null;
            }
            rows += count(s.tier(), s.name());
        }
        if (rows < opt.walSwitchRows()) {
            return null;
        }
        opt.say("tier '" + to.name() + "': switching journal_mode WAL → DELETE for a " + Format.count(rows)
                + "-row load (a WAL target would write it twice); it goes back to WAL when the copy ends.");
        try {
            String mode = String.valueOf(to.query("PRAGMA main.journal_mode = DELETE").value());
            if (!"delete".equalsIgnoreCase(mode)) {
                opt.say("tier '" + to.name() + "': stayed in " + mode + " (another connection has it open); loading in WAL.");
                return null;
            }
        } catch (SluiceException e) {
            opt.say("tier '" + to.name() + "': could not leave WAL (" + e.getMessage() + "); loading in WAL.");
            return null;
        }
        notes.add("loaded with the rollback journal, back to WAL afterwards");
        return "WAL";
    }

    // ---------------------------------------------------------------- → PostgreSQL

    private Load toPostgres(Tier from, String table, String into, List<Column> srcCols, boolean existed, List<String> notes) {
        List<String> cols = srcCols.stream().map(Column::name).toList();
        List<String> pk = from.primaryKey(table).stream().filter(cols::contains).toList();
        if (!existed) {
            String auto = autoincrementColumn(from, table, pk);
            to.exec(TypeMapping.postgresCreate(into, srcCols, auto, opt.castTimestamps()));
        }
        String copySql = "COPY " + Identifiers.quote(into) + " (" + String.join(", ", cols.stream().map(Identifiers::quote).toList())
                + ") FROM STDIN WITH (FORMAT csv)";
        String select = new Checksummer(from).orderedSelect(table, cols, opt.where());
        Checksum src;
        boolean rawRead;
        Runnable endRead = reading(from);
        try (ChecksumStream sum = new ChecksumStream()) {
            PGConnection pg = TierInternals.connection(to).unwrap(PGConnection.class);
            try (PgCopyStream out = new PgCopyStream(pg.getCopyAPI().copyIn(copySql));
                 PreparedStatement ps = readStatement(from, select)) {
                try (ResultSet rs = ps.executeQuery()) {
                    SqliteRaw raw = SqliteRaw.of(ps);
                    rawRead = raw != null;
                    if (rawRead) {
                        sendRaw(rs, raw, cols.size(), out, sum, tick);
                    } else {
                        sendObjects(rs, cols.size(), out, sum, tick);
                    }
                }
                TierInternals.addRowsChanged(to, out.finish());
            }
            src = sum.finish();
        } catch (SQLException e) {
            if ("22021".equals(e.getSQLState())) { // character_not_in_repertoire: SQLite keeps text it never validated
                throw new SluiceException(ErrorCode.SQL, "copy " + from.name() + "." + table + " → " + to.name() + ": the source holds text that is "
                        + "not valid UTF-8, which PostgreSQL cannot store (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip() + "). Nothing was copied. Find the rows "
                        + "with hex(column), then fix them or copy the column as a BLOB (CAST(column AS BLOB)).", e);
            }
            throw TierInternals.fail(to, e, copySql);
        } finally {
            endRead.run();
        }
        if (!existed) {
            if (!pk.isEmpty()) {
                to.exec("ALTER TABLE " + Identifiers.quote(into) + " ADD PRIMARY KEY ("
                        + String.join(", ", pk.stream().map(Identifiers::quote).toList()) + ")");
            }
            String auto = autoincrementColumn(from, table, pk);
            if (auto != null) {
                to.query("SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(" + Identifiers.quote(auto) + ") FROM "
                        + Identifiers.quote(into) + "), 0) + 1, false)", Identifiers.quote(into), auto);
            }
            postgresIndexes(from, table, into, cols, notes);
        }
        return new Load(src.rows(), "COPY FROM STDIN (csv, streamed" + (rawRead ? ", raw SQLite values" : "") + ")", src);
    }

    /**
     * The hot loop of a SQLite → PostgreSQL copy: each value read by storage class as raw bytes (no String decoding and
     * re-encoding, no boxing), written as CSV and fed to the source checksum, which hashes on a second thread.
     */
    private static void sendRaw(ResultSet rs, SqliteRaw raw, int n, PgCopyStream out, ChecksumStream sum, Ticker tick) throws SQLException {
        while (rs.next()) {
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.comma();
                }
                switch (raw.type(i)) {
                    case SqliteRaw.INTEGER -> {
                        long v = raw.integer(i);
                        out.integer(v);
                        sum.integer(v);
                    }
                    case SqliteRaw.FLOAT -> {
                        double d = raw.real(i);
                        out.real(d);
                        sum.real(d);
                    }
                    case SqliteRaw.TEXT -> {
                        byte[] b = raw.bytes(i);
                        out.text(b);
                        sum.text(b);
                    }
                    case SqliteRaw.BLOB -> {
                        byte[] b = raw.bytes(i);
                        out.blob(b);
                        sum.blob(b);
                    }
                    default -> sum.nul(); // NULL: an empty unquoted CSV field
                }
            }
            out.endRow();
            sum.endRow();
            tick.row();
        }
    }

    /** Any other JDBC source: values as the driver gives them. */
    private static void sendObjects(ResultSet rs, int n, PgCopyStream out, ChecksumStream sum, Ticker tick) throws SQLException {
        Object[] row = new Object[n];
        while (rs.next()) {
            for (int i = 0; i < n; i++) {
                row[i] = rs.getObject(i + 1);
                sum.value(row[i]);
            }
            out.row(row);
            sum.endRow();
            tick.row();
        }
    }

    private static String autoincrementColumn(Tier from, String table, List<String> pk) {
        if (from.engine() != Engine.SQLITE || pk.size() != 1) {
            return null;
        }
        Object sql = from.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).value();
        return sql != null && SqlLexer.code(sql.toString(), Engine.SQLITE).stream().anyMatch(t -> t.is("AUTOINCREMENT")) ? pk.get(0) : null;
    }

    private void postgresIndexes(Tier from, String table, String into, List<String> cols, List<String> notes) {
        for (Index ix : from.indexes(table)) {
            if (ix.where() != null || ix.columns().stream().anyMatch(c -> c == null || "null".equals(c) || !cols.contains(c))) {
                notes.add("index " + ix.name() + " not copied (partial, expression or uncopied column)");
                continue;
            }
            List<String> pk = from.primaryKey(table);
            if (ix.columns().equals(pk)) {
                continue; // the primary key's own index
            }
            String name = ix.name().startsWith("sqlite_autoindex") ? into + "_" + String.join("_", ix.columns()) + "_key"
                    : into.equals(table) ? ix.name() : into + "_" + ix.name();
            to.exec("CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX " + Identifiers.quote(name) + " ON " + Identifiers.quote(into)
                    + " (" + String.join(", ", ix.columns().stream().map(Identifiers::quote).toList()) + ")");
        }
    }

    // ---------------------------------------------------------------- batched INSERT

    private Load streamInserts(Tier from, String table, String into, List<String> cols, String method) {
        String select = new Checksummer(from).orderedSelect(table, cols, opt.where());
        String insert = "INSERT INTO " + Identifiers.quote(into) + " (" + String.join(", ", cols.stream().map(Identifiers::quote).toList())
                + ") VALUES (" + String.join(", ", cols.stream().map(c -> "?").toList()) + ")";
        MessageDigest md = sha256();
        Checksummer enc = new Checksummer(from);
        long rows = 0;
        Runnable endRead = reading(from);
        try (PreparedStatement read = readStatement(from, select);
             PreparedStatement write = TierInternals.connection(to).prepareStatement(insert)) {
            try (ResultSet rs = read.executeQuery()) {
                int n = cols.size();
                Object[] row = new Object[n];
                int pending = 0;
                while (rs.next()) {
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                        write.setObject(i + 1, row[i]);
                    }
                    enc.update(md, row);
                    write.addBatch();
                    rows++;
                    tick.row();
                    if (++pending == opt.batchRows()) {
                        write.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    write.executeBatch();
                }
            }
            TierInternals.addRowsChanged(to, rows);
        } catch (SQLException e) {
            throw TierInternals.fail(to, e, insert);
        } finally {
            endRead.run();
        }
        return new Load(rows, method, new Checksum(rows, HexFormat.of().formatHex(md.digest())));
    }

    private static PreparedStatement readStatement(Tier from, String select) throws SQLException {
        PreparedStatement ps = TierInternals.connection(from).prepareStatement(select);
        ps.setFetchSize(10_000); // PostgreSQL streams with a cursor only inside a transaction (see reading()); SQLite streams anyway
        return ps;
    }

    /** PostgreSQL sources stream only inside a transaction: open a read-only one for the copy when none is open. */
    private static Runnable reading(Tier from) {
        if (from.engine() == Engine.SQLITE || from.inTransaction()) {
            return () -> { };
        }
        from.begin();
        return from::rollback;
    }

    // ---------------------------------------------------------------- transactions

    private Savepoint savepoint() {
        try {
            if (to.engine() == Engine.SQLITE) {
                to.exec("SAVEPOINT sluice_copy");
                return null;
            }
            return TierInternals.connection(to).setSavepoint("sluice_copy");
        } catch (SQLException e) {
            throw TierInternals.fail(to, e, "SAVEPOINT sluice_copy");
        }
    }

    private void release(Savepoint sp) {
        try {
            if (to.engine() == Engine.SQLITE) {
                to.exec("RELEASE sluice_copy");
            } else {
                TierInternals.connection(to).releaseSavepoint(sp);
            }
        } catch (SQLException e) {
            throw TierInternals.fail(to, e, "RELEASE sluice_copy");
        }
    }

    private void rollbackTo(Savepoint sp) {
        safely(() -> {
            try {
                if (to.engine() == Engine.SQLITE) {
                    to.exec("ROLLBACK TO sluice_copy");
                    to.exec("RELEASE sluice_copy");
                } else {
                    TierInternals.connection(to).rollback(sp);
                }
            } catch (SQLException e) {
                throw TierInternals.fail(to, e, "ROLLBACK TO sluice_copy");
            }
        });
    }

    private static Checksum join(CompletableFuture<Checksum> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private static long countWhere(Tier t, String table, String where) {
        String sql = "SELECT count(*) FROM " + Identifiers.quote(table) + (where == null || where.isBlank() ? "" : " WHERE " + where);
        return ((Number) t.query(sql).value()).longValue();
    }

    private static long count(Tier t, String table) {
        return ((Number) t.query("SELECT count(*) FROM " + Identifiers.quote(table)).value()).longValue();
    }

    static MessageDigest sha256() {
        return Sha256.digest();
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // Cleaning up after a failure: the first error is the one worth reporting.
        }
    }
}
