package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * One live database of a workspace: a single JDBC connection plus the DSL's calls on it (look, query,
 * integrity, checksum, transactions, freeze). The same object is bound by name in the console and in playbooks.
 * Not thread-safe beyond {@link #cancel()}, which any thread may call to stop the running statement.
 * <p>This class opens the tier and hands each call to one of its package-private parts: {@link TierConnection},
 * {@link TierStatements}, {@link TierCatalogue}, {@link TierChecks}, {@link TierErrors} and {@link TierListeners}.
 */
public final class Tier implements AutoCloseable {
    static {
        NativeLibrary.prepare();
    }

    private final TierConfig config;
    private final TierConnection conn;
    private final Engine engine;
    private final String engineVersion;
    private final TierListeners listeners = new TierListeners(this);
    private final TierErrors errors = new TierErrors(this);
    private final TierStatements statements;
    private final TierCatalogue catalogue;
    private final TableDescriber describer;
    private final TierChecks checks;

    private Tier(TierConfig config, Connection conn, String engineVersion) {
        this.config = config;
        this.conn = new TierConnection(this, conn, config.engine());
        this.engine = config.engine();
        this.engineVersion = engineVersion;
        this.statements = new TierStatements(this, this.conn, listeners);
        this.catalogue = new TierCatalogue(this, this.conn, statements, listeners);
        this.describer = new TableDescriber(this, this.conn, statements, catalogue);
        this.checks = new TierChecks(this, this.conn, statements, catalogue, listeners);
    }

    /** Opens an existing tier; a missing SQLite file is refused. */
    public static Tier open(TierConfig config) {
        return open(config, false);
    }

    /** Opens a tier; with {@code create} a missing SQLite file is created (demo, init, tests). */
    public static Tier open(TierConfig config, boolean create) {
        return open(config, create, false);
    }

    /**
     * Opens a tier; with {@code keepDamaged} a SQLite file whose first page the engine cannot read (SQLITE_CORRUPT,
     * SQLITE_NOTADB) still opens, marked {@link #damage() damaged}: the console binds it so that {@code integrity()} and
     * a restore are within reach, and every other call on it says it is damaged.
     */
    public static Tier open(TierConfig config, boolean create, boolean keepDamaged) {
        try {
            if (config.engine() == Engine.SQLITE) {
                return openSqlite(config, create, keepDamaged);
            }
            Properties p = new Properties();
            if (config.user() != null) {
                p.setProperty("user", config.user());
            }
            if (config.password() != null) {
                p.setProperty("password", config.password().reveal());
            }
            Connection c = DriverManager.getConnection(config.url(), p);
            if (config.readOnly()) {
                c.setReadOnly(true);
            }
            DatabaseMetaData md = c.getMetaData();
            return new Tier(config, c, md.getDatabaseProductVersion());
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Cannot open tier '" + config.name() + "' at "
                    + config.location() + ": " + TierErrors.firstLine(e.getMessage()).replaceFirst("\\.+$", "")
                    + ". Check the url, user and password in sluice.json and that the server is up.", e);
        }
    }

    private static Tier openSqlite(TierConfig config, boolean create, boolean keepDamaged) throws SQLException {
        Path file = config.sqliteFile();
        if (file != null && !create && !Files.exists(file)) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + config.name() + "': file " + file
                    + " does not exist. Check its path in sluice.json, or restore it from a snapshot ('sluice snapshots').");
        }
        if (file != null && Files.isDirectory(file)) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + config.name() + "': " + file
                    + " is a directory, not a SQLite file. Point the tier at a .db file in sluice.json.");
        }
        if (file != null && create) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Cannot create folder for " + file + ": " + e.getMessage() + ".", e);
            }
        }
        SQLiteConfig sc = new SQLiteConfig();
        noMutex(sc);
        sc.enforceForeignKeys(!"OFF".equalsIgnoreCase(config.pragmas().getOrDefault("foreign_keys", "ON")));
        sc.setBusyTimeout(Integer.parseInt(config.pragmas().getOrDefault("busy_timeout", "5000")));
        if (config.readOnly()) {
            sc.setReadOnly(true);
        }
        Connection c = sc.createConnection(config.url());
        String version;
        try (Statement st = c.createStatement()) {
            // Touch the schema now so a corrupt or non-database file is refused at open, not mid-step.
            st.executeQuery("SELECT count(*) FROM sqlite_schema").close();
            for (var e : config.pragmas().entrySet()) {
                String k = e.getKey();
                if (k.equals("foreign_keys") || k.equals("busy_timeout")) {
                    continue;
                }
                if (!k.matches("[A-Za-z_]+") || !e.getValue().matches("[A-Za-z0-9_-]+")) {
                    throw new SluiceException(ErrorCode.WORKSPACE, "Tier '" + config.name() + "': pragma " + k + "=" + e.getValue()
                            + " is not a plain pragma. Use names and values of letters, digits, '_' or '-'.");
                }
                st.execute("PRAGMA " + k + " = " + e.getValue());
            }
            try (ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
                version = rs.next() ? rs.getString(1) : "?";
            }
        } catch (SQLException e) {
            if (keepDamaged && SqlErrors.damaged(e) && file != null && file.toFile().length() > 0) {
                Tier damaged = new Tier(config, c, sqliteVersion(c));
                damaged.errors.damaged(SqlErrors.words(e));
                return damaged;
            }
            c.close();
            String msg = TierErrors.firstLine(e.getMessage());
            if (SqlErrors.damaged(e) && !SqlErrors.looksLikeSqlite(config.sqliteFile())) {
                throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + config.name() + "': " + config.location()
                        + " is not a usable SQLite database (" + msg + "). Check the path, or restore it with 'sluice restore'.", e);
            }
            SluiceException known = SqlErrors.onOpen(config, e);
            if (known != null) {
                throw known;
            }
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + config.name() + "': cannot open "
                    + config.location() + " (" + msg + "). Check the file and its permissions.", e);
        }
        return new Tier(config, c, version);
    }

    /** The engine's version, which needs no page of the file (a damaged one included); "?" when even that fails. */
    private static String sqliteVersion(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
            return rs.next() ? rs.getString(1) : "?";
        } catch (SQLException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- identity

    public String name() {
        return config.name();
    }

    public Engine engine() {
        return engine;
    }

    public String engineVersion() {
        return engineVersion;
    }

    public TierConfig config() {
        return config;
    }

    /** The SQLite file, or null for server tiers. */
    public Path file() {
        return config.sqliteFile();
    }

    /**
     * The live JDBC connection, for code that needs JDBC itself. Do not close it. In an atomic step a routed tier answers
     * with the step's shared connection, on which this tier's file is ATTACHed as {@link #schemaName()}.
     */
    Connection connection() {
        return conn.connection();
    }

    /** True while an atomic step routes this tier through the step's shared connection. */
    boolean routed() {
        return conn.routed();
    }

    /** The schema this tier's tables live in on {@link #connection()}: its attached name when routed, else {@code main}. */
    String schemaName() {
        return conn.schemaName();
    }

    /**
     * A table name as SQL this tier builds must write it: {@code "schema"."table"} when routed (an unqualified name on the
     * shared connection would resolve to the coordinator's table of that name), else just the quoted name.
     */
    public String qualified(String table) {
        return conn.qualified(table);
    }

    /** Routes this tier through the shared connection, on which its file is attached as {@code schemaName}. */
    void route(SharedConnection sharedConnection, String schemaName) {
        conn.route(sharedConnection, schemaName);
    }

    /** Back to this tier's own connection. */
    void unroute() {
        conn.unroute();
    }

    /**
     * Refuses {@code what} while this tier is routed: helpers that ATTACH, or write {@code main.}/{@code temp.} themselves,
     * would act on the atomic step's shared connection instead of this tier's own.
     */
    void requireOwnConnection(String what) {
        conn.requireOwnConnection(what);
    }

    /** Checks raw SQL before it runs in an atomic step (no-op otherwise). */
    void guard(String verb, String sql) {
        conn.guard(verb, sql);
    }

    /**
     * Opens a SQLite connection in multi-thread mode: without SQLite's own per-call mutex, which is redundant here
     * because sqlite-jdbc serialises every call on a connection ({@code synchronized} on its native methods; only
     * {@code sqlite3_interrupt}, documented as safe from any thread, is not). About a tenth of a checksum's read time was
     * spent locking and unlocking that mutex around each value.
     */
    static void noMutex(SQLiteConfig sc) {
        sc.setOpenMode(org.sqlite.SQLiteOpenMode.NOMUTEX);
    }

    public boolean readOnly() {
        return config.readOnly();
    }

    /** False when the tier is configured read-only or its SQLite file cannot be written (file permissions). */
    public boolean writable() {
        return !readOnly() && (file() == null || !Files.exists(file()) || Files.isWritable(file()));
    }

    void addListener(TierInternals.Listener l) {
        listeners.add(l);
    }

    void removeListener(TierInternals.Listener l) {
        listeners.remove(l);
    }

    /** Joins a set: its listeners hear this tier too, and lock messages can name its other tiers. */
    void joined(List<TierInternals.Listener> setListeners, java.util.function.Supplier<? extends Iterable<Tier>> others) {
        listeners.joined(setListeners);
        errors.siblings(others);
    }

    /** Tells listeners about a fact a DSL call returned; returns it for chaining. */
    <T> T observe(String call, List<Object> args, T result) {
        return listeners.observe(call, args, result);
    }

    // ---------------------------------------------------------------- look

    /** User tables, sorted by name (SQLite's internal sqlite_* tables left out). */
    public List<String> tables() {
        return catalogue.tables();
    }

    /**
     * The tables that hold the tier's data: {@link #tables()} without Sluice's own bookkeeping ({@code sluice_history},
     * {@code sluice_lock}, … — every {@code sluice_*} table), so that counts and fingerprints never read bookkeeping as a
     * change of data.
     */
    List<String> dataTables() {
        return catalogue.dataTables();
    }

    public boolean hasTable(String table) {
        return catalogue.hasTable(table);
    }

    public boolean hasColumn(String table, String column) {
        return catalogue.hasColumn(table, column);
    }

    public boolean hasIndex(String index) {
        return catalogue.hasIndex(index);
    }

    /** Columns of a table in declaration order; refuses an unknown table. */
    public List<Column> columns(String table) {
        return catalogue.columns(table);
    }

    /** The primary key columns in key order; empty when the table has none. */
    public List<String> primaryKey(String table) {
        return catalogue.primaryKey(table);
    }

    public List<Index> indexes(String table) {
        return catalogue.indexes(table);
    }

    /**
     * The CREATE statements of a table, its indexes and triggers: SQLite's own text; on PostgreSQL rebuilt from
     * {@code pg_catalog} (columns, constraints, indexes, triggers); elsewhere a CREATE TABLE from JDBC metadata.
     */
    public String schema(String table) {
        return engine() == Engine.POSTGRESQL ? describer.postgresSchema(table) : catalogue.schema(table);
    }

    /**
     * A table as psql's {@code \d} shows it: columns with type, nullability and default, the primary key, indexes,
     * foreign keys, check constraints and triggers, each as the engine defines it.
     */
    public TableDescription describe(String table) {
        return describer.describe(table);
    }

    public long count(String table) {
        return catalogue.count(table);
    }

    /** Rows in a table, optionally only those matching a WHERE clause (with bound arguments). */
    public long count(String table, String where, Object... args) {
        return catalogue.count(table, where, args);
    }

    /** Row counts of every table. */
    public Map<String, Long> counts() {
        return catalogue.counts();
    }

    /** A handle on one table of this tier, for calls that take tables (diff, copy) and object-style use. */
    public TableRef table(String name) {
        return catalogue.table(name);
    }

    void requireTable(String table) {
        catalogue.requireTable(table);
    }

    // ---------------------------------------------------------------- query

    /**
     * Runs a query with bound arguments and holds its result (at most {@link Rows#MAX_ROWS} rows). In an atomic step
     * the statement is checked first: it may not reach another tier through an unqualified name.
     */
    public Rows query(String sql, Object... args) {
        return statements.query(sql, args);
    }

    /** The next {@link #query} is a preview: at most {@link Rows#PREVIEW_ROWS} rows read ({@link TierInternals#previewNextQuery}). */
    void previewNextQuery(boolean on) {
        statements.previewNextQuery(on);
    }

    /** Streams every row of a query to {@code action}, holding one row at a time (checked in an atomic step, as {@link #query}). */
    public void each(String sql, List<Object> args, Consumer<Row> action) {
        statements.each(sql, args, action);
    }

    public void each(String sql, Consumer<Row> action) {
        statements.each(sql, action);
    }

    /**
     * Rows changed through this tier object since it opened: the update counts of {@link #exec} and {@link #script},
     * plus rows a load reported with {@link #addRowsChanged}. On SQLite, {@code total_changes()} is the fuller figure
     * (triggers and every DSL path); this one serves engines without it.
     */
    long rowsChanged() {
        return statements.rowsChanged();
    }

    /** A load that wrote rows without {@link #exec} (a COPY into PostgreSQL) counts them here. */
    void addRowsChanged(long rows) {
        statements.addRowsChanged(rows);
    }

    /** Runs one statement with bound arguments; returns the rows it changed. Checked in an atomic step, as {@link #query}. */
    public int exec(String sql, Object... args) {
        return statements.exec(sql, args);
    }

    /**
     * Runs a multi-statement script: SQL text, or the path of a {@code .sql} file. Statements run in order;
     * the first failure stops the script and names the statement.
     */
    public int script(String sqlOrFile) {
        return statements.script(sqlOrFile);
    }

    /** The checks on this tier's connection ({@link PinnedFingerprint} reads the schema part on a reader's). */
    TierChecks checks() {
        return checks;
    }

    TierErrors errors() {
        return errors;
    }

    TierCatalogue catalogue() {
        return catalogue;
    }

    /** Stops the statement running on this tier, from any thread (Ctrl-C). */
    void cancel() {
        statements.cancel();
    }

    /** How many times {@link #cancel} was called: a change since a long operation began means stop. */
    long cancels() {
        return statements.cancels();
    }

    // ---------------------------------------------------------------- integrity

    public IntegrityReport integrity() {
        return checks.integrity();
    }

    public IntegrityReport quickCheck() {
        return checks.quickCheck();
    }

    public IntegrityReport foreignKeyCheck() {
        return checks.foreignKeyCheck();
    }

    /** Engine, version, schema hash, per-table counts, file size and journal mode, as of now. */
    public Fingerprint fingerprint() {
        return checks.fingerprint();
    }

    // ---------------------------------------------------------------- checksum

    public Checksum checksum(String table) {
        return checksum(table, null, null);
    }

    public Checksum checksum(String table, List<String> columns) {
        return checksum(table, columns, null);
    }

    /**
     * SHA-256 over the rows of a table in key order, streaming, in the engine-independent encoding (README, "Checksums").
     * {@code columns} null means all; {@code where} null means every row.
     */
    public Checksum checksum(String table, List<String> columns, String where, Object... args) {
        Checksum c;
        TierInternals.RowsRead watch = listeners.reading("checksum", table, where);
        if (watch == null) {
            c = new Checksummer(this).checksum(table, columns, where, args);
        } else {
            try (watch) {
                c = new Checksummer(this).reportingRows(watch).checksum(table, columns, where, args);
            }
        }
        List<Object> a = new ArrayList<>();
        a.add(table);
        if (columns != null) {
            a.add(columns);
        }
        if (where != null) {
            a.add(where);
            a.addAll(java.util.Arrays.asList(args));
        }
        return observe("checksum", a, c);
    }

    // ---------------------------------------------------------------- transactions and freeze

    /** Whether a transaction is open; a routed tier answers for the shared connection (the one transaction it is in). */
    public boolean inTransaction() {
        return conn.inTransaction();
    }

    /** Opens a transaction (deferred). Refused when one is already open. A routed tier opens the shared connection's. */
    public void begin() {
        conn.begin();
    }

    /**
     * Commits. Refused while a playbook step owns this tier (its decision is the step's: {@code /commit}); a routed tier
     * never commits on its own: it commits the shared connection's transaction, every participant at once.
     */
    public void commit() {
        conn.commit();
    }

    /** Rolls back. Refused while a playbook step owns this tier (its decision is the step's: {@code /rollback}). */
    public void rollback() {
        conn.rollback();
    }

    /** Hands this tier's decisions to a playbook step (null: back to the operator). */
    void decidedBy(java.util.function.Supplier<String> refusal) {
        conn.decidedBy(refusal);
    }

    /** The engine's commit: a step's decision, a batch, a helper's own transaction. */
    void commitTransaction() {
        conn.commitTransaction();
    }

    void rollbackTransaction() {
        conn.rollbackTransaction();
    }

    /**
     * Asks for {@code schema}, ATTACHed by a helper inside the open transaction, to be DETACHed as soon as the
     * transaction ends (commit or rollback): no attachment outlives the step that made it. Outside a transaction it is
     * detached at once.
     */
    void detachWhenTransactionEnds(String schema) {
        conn.detachWhenTransactionEnds(schema);
    }

    /** Which of this process's own connections holds this tier's file, in words, or null ({@link TierErrors#ownHolder}). */
    String ownHolder() {
        return errors.ownHolder();
    }

    /** This tier's own connection, never the shared one it may be routed through (asked by a sibling's lock message). */
    Connection ownConnection() {
        return conn.own();
    }

    public boolean frozen() {
        return conn.frozen();
    }

    /**
     * Holds this tier's write lock so other writers wait (their busy timeout) while readers go on (WAL). Opens a
     * write transaction when none is open, or takes the lock inside the open one. {@link #thaw()} releases it.
     */
    public void freeze() {
        conn.freeze();
    }

    /** Releases the write lock: commits the transaction freeze opened (anything written while frozen is kept). */
    public void thaw() {
        conn.thaw();
    }

    // ---------------------------------------------------------------- cancel, close

    /** What the engine reported when a statement met a damaged page of this tier's file, or null when none has. */
    String damage() {
        return errors.damage();
    }

    boolean isClosed() {
        return conn.isClosed();
    }

    /**
     * Closes this tier's connection, runs {@code whileClosed} (which may replace the file), then opens the file again on
     * this same object, so bindings held elsewhere (the console's {@code tier1}) stay valid. A file still damaged opens
     * marked damaged; a sound one clears the mark. Refused while a transaction, a freeze or an atomic step holds the tier.
     */
    synchronized void reopen(Runnable whileClosed) {
        if (engine != Engine.SQLITE || config.sqliteFile() == null) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "Tier '" + name() + "' is not a SQLite file; it cannot be reopened.");
        }
        if (conn.busy()) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Tier '" + name() + "' is in a transaction, frozen or in an atomic step; "
                    + "commit or roll back (thaw) first, then try again.");
        }
        conn.closeForReopen();
        RuntimeException failed = null;
        try {
            whileClosed.run();
        } catch (RuntimeException e) {
            failed = e;
        }
        try {
            Tier fresh = openSqlite(config, false, true);
            conn.replace(fresh.conn.own()); // the fresh Tier is dropped, never closed: its connection is now this tier's
            errors.damaged(fresh.errors.damage());
        } catch (SQLException | SluiceException e) {
            if (failed == null) {
                throw e instanceof SluiceException se ? se : new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + name()
                        + "': cannot open " + config.location() + " again (" + TierErrors.firstLine(e.getMessage()) + ").", e);
            }
            failed.addSuppressed(e);
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Rolls back whatever is still open, then closes the connection. */
    @Override
    public void close() {
        conn.close();
    }

    // ---------------------------------------------------------------- errors

    /** Turns a driver exception into one line with the tier, the statement and the way on. */
    SluiceException fail(SQLException e, String sql) {
        return errors.fail(e, sql);
    }

    @Override
    public String toString() {
        return name() + " (" + engine.label() + " " + engineVersion + ", " + config.location() + (readOnly() ? ", read-only" : "")
                + (inTransaction() ? ", transaction open" : "") + (routed() ? ", routed through an atomic step's shared connection as " + schemaName() : "") + ")";
    }
}
