package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * One live database of a workspace: a single JDBC connection plus the DSL's calls on it (look, query,
 * integrity, checksum, transactions, freeze). The same object is bound by name in the console and in playbooks.
 * Not thread-safe beyond {@link #cancel()}, which any thread may call to stop the running statement.
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
    private volatile Statement running;
    /** Counts {@link #cancel} calls: work that runs several statements in turn checks it between them. */
    private final java.util.concurrent.atomic.AtomicLong cancels = new java.util.concurrent.atomic.AtomicLong();
    /** Rows changed by this tier's own statements (exec, script) and loads into it (copy), since it opened. */
    private final java.util.concurrent.atomic.AtomicLong rowsChanged = new java.util.concurrent.atomic.AtomicLong();

    private Tier(TierConfig config, Connection conn, String engineVersion) {
        this.config = config;
        this.conn = new TierConnection(this, conn, config.engine());
        this.engine = config.engine();
        this.engineVersion = engineVersion;
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
                    + config.location() + ": " + TierErrors.firstLine(e.getMessage())
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

    /** {@code PRAGMA name}, or {@code PRAGMA "schema".name} when routed (an unqualified pragma acts on main, or on every schema). */
    private String pragma(String name) {
        return conn.pragma(name);
    }

    /** A pragma table-valued function with one argument, plus the schema argument when routed. */
    private String pragmaFunction(String function) {
        return conn.pragmaFunction(function);
    }

    private List<Object> pragmaArgs(Object arg) {
        return conn.pragmaArgs(arg);
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

    private void beforeWrite(String sql) {
        listeners.beforeWrite(sql);
    }

    // ---------------------------------------------------------------- look

    /** User tables, sorted by name (SQLite's internal sqlite_* tables left out). */
    public List<String> tables() {
        if (engine == Engine.SQLITE) {
            List<String> out = new ArrayList<>();
            scan("SELECT name FROM " + qualified("sqlite_schema") + " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                    List.of(), r -> out.add((String) r.get(0)));
            return out;
        }
        try (ResultSet rs = connection().getMetaData().getTables(null, connection().getSchema(), "%", new String[]{"TABLE"})) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME"));
            }
            out.sort(null);
            return out;
        } catch (SQLException e) {
            throw fail(e, "tables()");
        }
    }

    /**
     * The tables that hold the tier's data: {@link #tables()} without Sluice's own bookkeeping ({@code sluice_history},
     * {@code sluice_lock}, … — every {@code sluice_*} table), so that counts and fingerprints never read bookkeeping as a
     * change of data.
     */
    List<String> dataTables() {
        return tables().stream().filter(t -> !t.startsWith("sluice_")).toList();
    }

    public boolean hasTable(String table) {
        if (engine == Engine.SQLITE) {
            return ask("SELECT count(*) FROM " + qualified("sqlite_schema") + " WHERE type IN ('table','view') AND name = ?", table).value() instanceof Number n
                    && n.longValue() > 0;
        }
        try (ResultSet rs = connection().getMetaData().getTables(null, connection().getSchema(), table, new String[]{"TABLE", "VIEW"})) {
            return rs.next();
        } catch (SQLException e) {
            throw fail(e, "hasTable(" + table + ")");
        }
    }

    public boolean hasColumn(String table, String column) {
        return columns(table).stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }

    public boolean hasIndex(String index) {
        if (engine == Engine.SQLITE) {
            return ((Number) ask("SELECT count(*) FROM " + qualified("sqlite_schema") + " WHERE type = 'index' AND name = ?", index).value()).longValue() > 0;
        }
        return tables().stream().flatMap(t -> indexes(t).stream()).anyMatch(i -> i.name().equals(index));
    }

    /** Columns of a table in declaration order; refuses an unknown table. */
    public List<Column> columns(String table) {
        requireTable(table);
        List<Column> out = new ArrayList<>();
        if (engine == Engine.SQLITE) {
            scan("SELECT name, type, \"notnull\", dflt_value, pk FROM " + pragmaFunction("pragma_table_info"), pragmaArgs(table), r -> out.add(new Column(
                    (String) r.get(0), (String) r.get(1), ((Number) r.get(2)).intValue() != 0, (String) r.get(3), ((Number) r.get(4)).intValue())));
            return out;
        }
        try {
            DatabaseMetaData md = connection().getMetaData();
            Map<String, Integer> pk = new LinkedHashMap<>();
            try (ResultSet rs = md.getPrimaryKeys(null, connection().getSchema(), table)) {
                while (rs.next()) {
                    pk.put(rs.getString("COLUMN_NAME"), rs.getInt("KEY_SEQ"));
                }
            }
            try (ResultSet rs = md.getColumns(null, connection().getSchema(), table, "%")) {
                while (rs.next()) {
                    String name = rs.getString("COLUMN_NAME");
                    out.add(new Column(name, rs.getString("TYPE_NAME"), rs.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls,
                            rs.getString("COLUMN_DEF"), pk.getOrDefault(name, 0)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail(e, "columns(" + table + ")");
        }
    }

    /** The primary key columns in key order; empty when the table has none. */
    public List<String> primaryKey(String table) {
        List<Column> pk = new ArrayList<>(columns(table).stream().filter(c -> c.pk() > 0).toList());
        pk.sort(java.util.Comparator.comparingInt(Column::pk));
        return pk.stream().map(Column::name).toList();
    }

    public List<Index> indexes(String table) {
        requireTable(table);
        List<Index> out = new ArrayList<>();
        if (engine == Engine.SQLITE) {
            Rows list = ask("SELECT name, \"unique\", partial FROM " + pragmaFunction("pragma_index_list") + " ORDER BY name",
                    pragmaArgs(table).toArray());
            for (Row r : list) {
                String name = (String) r.get(0);
                List<String> cols = new ArrayList<>();
                scan("SELECT name FROM " + pragmaFunction("pragma_index_info") + " ORDER BY seqno", pragmaArgs(name), c -> cols.add(String.valueOf(c.get(0))));
                String where = null;
                if (((Number) r.get(2)).intValue() != 0) {
                    Object sql = ask("SELECT sql FROM " + qualified("sqlite_schema") + " WHERE type='index' AND name=?", name).value();
                    if (sql != null) {
                        int w = sql.toString().toUpperCase(java.util.Locale.ROOT).lastIndexOf(" WHERE ");
                        where = w < 0 ? null : sql.toString().substring(w + 7).trim();
                    }
                }
                out.add(new Index(name, table, cols, ((Number) r.get(1)).intValue() != 0, where));
            }
            return out;
        }
        try (ResultSet rs = connection().getMetaData().getIndexInfo(null, connection().getSchema(), table, false, false)) {
            Map<String, Index> byName = new LinkedHashMap<>();
            while (rs.next()) {
                String name = rs.getString("INDEX_NAME");
                if (name == null) {
                    continue;
                }
                Index prev = byName.get(name);
                List<String> cols = prev == null ? new ArrayList<>() : new ArrayList<>(prev.columns());
                cols.add(rs.getString("COLUMN_NAME"));
                byName.put(name, new Index(name, table, cols, !rs.getBoolean("NON_UNIQUE"), rs.getString("FILTER_CONDITION")));
            }
            out.addAll(byName.values());
            return out;
        } catch (SQLException e) {
            throw fail(e, "indexes(" + table + ")");
        }
    }

    /** The CREATE statements of a table, its indexes and triggers (SQLite), or a CREATE TABLE rebuilt from the catalogue. */
    public String schema(String table) {
        requireTable(table);
        if (engine == Engine.SQLITE) {
            StringBuilder sb = new StringBuilder();
            scan("SELECT sql FROM " + qualified("sqlite_schema") + " WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type = 'table' DESC, name",
                    List.of(table), r -> sb.append(r.get(0)).append(";\n"));
            return sb.toString().trim();
        }
        StringBuilder sb = new StringBuilder("CREATE TABLE " + Identifiers.quote(table) + " (\n");
        List<Column> cols = columns(table);
        for (int i = 0; i < cols.size(); i++) {
            Column c = cols.get(i);
            sb.append("  ").append(Identifiers.quote(c.name())).append(' ').append(c.type()).append(c.notNull() ? " NOT NULL" : "")
                    .append(c.defaultValue() == null ? "" : " DEFAULT " + c.defaultValue()).append(i + 1 < cols.size() ? ",\n" : "\n");
        }
        List<String> pk = primaryKey(table);
        if (!pk.isEmpty()) {
            sb.setLength(sb.length() - 1);
            sb.append(",\n  PRIMARY KEY (").append(String.join(", ", pk.stream().map(Identifiers::quote).toList())).append(")\n");
        }
        return sb.append(");").toString();
    }

    public long count(String table) {
        return count(table, null);
    }

    /** Rows in a table, optionally only those matching a WHERE clause (with bound arguments). */
    public long count(String table, String where, Object... args) {
        requireTable(table);
        boolean filtered = where != null && !where.isBlank();
        String sql = "SELECT count(*) FROM " + qualified(table) + (filtered ? " WHERE " + where : "");
        if (filtered) {
            guard("count", sql); // the WHERE clause is the caller's own SQL
        }
        long n = ((Number) ask(sql, args).value()).longValue();
        List<Object> a = new ArrayList<>();
        a.add(table);
        if (where != null) {
            a.add(where);
            a.addAll(java.util.Arrays.asList(args));
        }
        return observe("count", a, n);
    }

    /** Row counts of every table. */
    public Map<String, Long> counts() {
        return observe("counts", List.of(), rowCounts());
    }

    /** Rows of every data table, unobserved (counts() and fingerprint() report it each in their own way). */
    private Map<String, Long> rowCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String t : dataTables()) {
            out.put(t, ((Number) ask("SELECT count(*) FROM " + qualified(t)).value()).longValue());
        }
        return out;
    }

    /** A handle on one table of this tier, for calls that take tables (diff, copy) and object-style use. */
    public TableRef table(String name) {
        requireTable(name);
        return new TableRef(this, name);
    }

    void requireTable(String table) {
        if (table == null || !hasTable(table)) {
            List<String> known = tables();
            throw new SluiceException(ErrorCode.NO_SUCH_TABLE, "Tier '" + name() + "' has no table '" + table + "'. "
                    + (known.isEmpty() ? "It has no tables." : "Tables: " + String.join(", ", known.stream().limit(20).toList())
                    + (known.size() > 20 ? ", …" : "") + "."));
        }
    }

    // ---------------------------------------------------------------- query

    /**
     * Runs a query with bound arguments and holds its result (at most {@link Rows#MAX_ROWS} rows). In an atomic step
     * the statement is checked first: it may not reach another tier through an unqualified name.
     */
    public Rows query(String sql, Object... args) {
        guard("query", sql);
        return ask(sql, args);
    }

    /** {@link #query} for SQL this tier built itself (already qualified): no check. */
    private Rows ask(String sql, Object... args) {
        List<String> cols = new ArrayList<>();
        List<Object[]> values = new ArrayList<>();
        stream(sql, java.util.Arrays.asList(args), cols, row -> {
            if (values.size() >= Rows.MAX_ROWS) {
                throw new SluiceException(ErrorCode.USAGE, "Tier '" + name() + "': the query returned more than "
                        + Format.count(Rows.MAX_ROWS) + " rows, more than query() holds. Add a LIMIT, or stream it with "
                        + name() + ".each(sql, row -> ...).");
            }
            values.add(row.raw());
        });
        return new Rows(cols, values);
    }

    /** Streams every row of a query to {@code action}, holding one row at a time (checked in an atomic step, as {@link #query}). */
    public void each(String sql, List<Object> args, Consumer<Row> action) {
        guard("each", sql);
        scan(sql, args, action);
    }

    private void scan(String sql, List<Object> args, Consumer<Row> action) {
        stream(sql, args, new ArrayList<>(), action);
    }

    public void each(String sql, Consumer<Row> action) {
        each(sql, List.of(), action);
    }

    private void stream(String sql, List<Object> args, List<String> colsOut, Consumer<Row> action) {
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            bind(ps, args);
            running = ps;
            boolean hasRows = ps.execute();
            if (!hasRows) {
                return;
            }
            try (ResultSet rs = ps.getResultSet()) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                for (int i = 1; i <= n; i++) {
                    colsOut.add(md.getColumnLabel(i));
                }
                List<String> cols = List.copyOf(colsOut);
                while (rs.next()) {
                    Object[] v = new Object[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = normalise(rs.getObject(i + 1));
                    }
                    action.accept(new Row(cols, v));
                }
            }
        } catch (SQLException e) {
            throw fail(e, sql);
        } finally {
            running = null;
        }
    }

    private static Object normalise(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        return v;
    }

    /**
     * Rows changed through this tier object since it opened: the update counts of {@link #exec} and {@link #script},
     * plus rows a load reported with {@link #addRowsChanged}. On SQLite, {@code total_changes()} is the fuller figure
     * (triggers and every DSL path); this one serves engines without it.
     */
    long rowsChanged() {
        return rowsChanged.get();
    }

    /** A load that wrote rows without {@link #exec} (a COPY into PostgreSQL) counts them here. */
    void addRowsChanged(long rows) {
        rowsChanged.addAndGet(Math.max(0, rows));
    }

    /** Runs one statement with bound arguments; returns the rows it changed. Checked in an atomic step, as {@link #query}. */
    public int exec(String sql, Object... args) {
        return run("exec", sql, args);
    }

    private int run(String verb, String sql, Object... args) {
        requireWritable(sql);
        guard(verb, sql);
        beforeWrite(sql);
        try (PreparedStatement ps = connection().prepareStatement(sql)) {
            bind(ps, java.util.Arrays.asList(args));
            running = ps;
            boolean rs = ps.execute();
            int n = rs ? 0 : Math.max(0, ps.getUpdateCount());
            rowsChanged.addAndGet(n);
            return n;
        } catch (SQLException e) {
            throw fail(e, sql);
        } finally {
            running = null;
        }
    }

    /**
     * Runs a multi-statement script: SQL text, or the path of a {@code .sql} file. Statements run in order;
     * the first failure stops the script and names the statement.
     */
    public int script(String sqlOrFile) {
        String sql = sqlOrFile;
        String trimmed = sqlOrFile.strip();
        if (!trimmed.contains("\n") && trimmed.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")) {
            Path p = Path.of(trimmed);
            if (!p.isAbsolute() && file() != null) {
                Path ws = file().getParent();
                p = Files.exists(p) ? p : ws.resolve(trimmed);
            }
            try {
                sql = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Tier '" + name() + "': cannot read script " + p + " (" + e.getMessage()
                        + "). Check the path.", e);
            }
        }
        int changed = 0;
        List<SqlLexer.Statement> statements;
        try {
            statements = SqlLexer.statements(sql, engine);
        } catch (SluiceException e) {
            throw new SluiceException(e.code(), "Tier '" + name() + "': script not run: " + e.getMessage(), e);
        }
        for (SqlLexer.Statement st : statements) {
            try {
                changed += run("script", st.text());
            } catch (SluiceException e) {
                throw new SluiceException(e.code(), e.getMessage().replaceFirst("\\.$", "") + " (statement " + st.number() + " of "
                        + statements.size() + ", line " + st.line() + ").", e);
            }
        }
        return changed;
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof CharSequence cs) {
                ps.setString(i + 1, cs.toString());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    private void requireWritable(String sql) {
        if (config.readOnly()) {
            String head = SqlLexer.firstWord(sql, engine);
            if (!(head.equals("SELECT") || head.equals("WITH") || head.equals("PRAGMA") || head.equals("EXPLAIN"))) {
                throw new SluiceException(ErrorCode.USAGE, "Tier '" + name() + "' is read-only; refused: "
                        + TierErrors.abbreviate(sql) + ". Remove \"readOnly\" from its entry in sluice.json if it must change.");
            }
        }
    }

    // ---------------------------------------------------------------- integrity

    public IntegrityReport integrity() {
        return observe("integrity", List.of(), pragmaCheck("integrity_check"));
    }

    public IntegrityReport quickCheck() {
        return observe("quickCheck", List.of(), pragmaCheck("quick_check"));
    }

    public IntegrityReport foreignKeyCheck() {
        requireSqlite("foreignKeyCheck()");
        List<String> problems = new ArrayList<>();
        scan(pragma("foreign_key_check"), List.of(), r -> problems.add(
                r.get(0) + " rowid " + r.get(1) + " references missing row in " + r.get(2) + " (constraint " + r.get(3) + ")"));
        return observe("foreignKeyCheck", List.of(), new IntegrityReport(name(), "foreign_key_check", problems));
    }

    private IntegrityReport pragmaCheck(String pragma) {
        requireSqlite(pragma);
        List<String> lines = new ArrayList<>();
        try {
            scan(pragma(pragma), List.of(), r -> lines.add(String.valueOf(r.get(0))));
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.INTEGRITY || damage() == null) {
                throw e;
            }
            // Damage bad enough to stop the check itself is still its answer, not an error of the call.
            lines.add(damage() + ": the check stopped at a damaged page of " + config.location());
        }
        if (lines.size() == 1 && lines.get(0).equals("ok")) {
            lines.clear();
        }
        return new IntegrityReport(name(), pragma, lines);
    }

    private void requireSqlite(String what) {
        if (engine != Engine.SQLITE) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, what + " is not supported for " + engine.label()
                    + " tiers yet (tier '" + name() + "'). Use the engine's own checks (e.g. amcheck) for now.");
        }
    }

    /** Engine, version, schema hash, per-table counts, file size and journal mode, as of now. */
    public Fingerprint fingerprint() {
        MessageDigest md = Checksummer.sha256();
        if (engine == Engine.SQLITE) {
            scan("SELECT type, name, tbl_name, coalesce(sql, '') FROM " + qualified("sqlite_schema") + " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    + "AND tbl_name NOT LIKE 'sluice\\_%' ESCAPE '\\' ORDER BY type, name", List.of(), r -> {
                for (int i = 0; i < 4; i++) {
                    md.update(String.valueOf(r.get(i)).getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
            });
        } else {
            for (String t : dataTables()) {
                md.update(t.getBytes(StandardCharsets.UTF_8));
                for (Column c : columns(t)) {
                    md.update(c.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        Long size = null;
        String journal = null;
        if (file() != null) {
            try {
                size = Files.size(file());
            } catch (IOException e) {
                size = null;
            }
            journal = String.valueOf(ask(pragma("journal_mode")).value());
        }
        Map<String, Long> counts = rowCounts();
        Fingerprint f = new Fingerprint(name(), engine.label(), engineVersion, HexFormat.of().formatHex(md.digest()), counts, size, journal,
                Instant.now().toString());
        return observe("fingerprint", List.of(), f);
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
        Checksum c = new Checksummer(this).checksum(table, columns, where, args);
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

    /** Stops the statement running on this tier, from any thread (Ctrl-C). */
    void cancel() {
        cancels.incrementAndGet();
        try {
            if (connection() instanceof SQLiteConnection sc) {
                sc.getDatabase().interrupt();
            } else {
                Statement s = running;
                if (s != null) {
                    s.cancel();
                }
            }
        } catch (SQLException e) {
            // Nothing runs any more or the connection is gone: nothing to cancel.
        }
    }

    /** How many times {@link #cancel} was called: a change since a long operation began means stop. */
    long cancels() {
        return cancels.get();
    }

    /** What the engine reported when a statement met a damaged page of this tier's file, or null when none has. */
    String damage() {
        return errors.damage();
    }

    boolean isClosed() {
        return conn.isClosed();
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
