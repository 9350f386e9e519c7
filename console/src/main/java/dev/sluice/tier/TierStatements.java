package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.sqlite.SQLiteConnection;

/**
 * Runs statements on one tier: queries held ({@link Rows}) or streamed a row at a time, exec and multi-statement scripts
 * (checked in an atomic step, refused on a read-only tier), the count of rows they changed, and cancel from any thread.
 */
final class TierStatements {
    private final Tier tier;
    private final Engine engine;
    private final TierConnection conn;
    private final TierListeners listeners;
    private volatile Statement running;
    /** Counts {@link #cancel} calls: work that runs several statements in turn checks it between them. */
    private final AtomicLong cancels = new AtomicLong();
    /** Rows changed by this tier's own statements (exec, script) and loads into it (copy), since it opened. */
    private final AtomicLong rowsChanged = new AtomicLong();
    /** Set by the console for a bare query it is about to evaluate: that query is a preview ({@link #preview}). */
    private final java.util.concurrent.atomic.AtomicBoolean previewNext = new java.util.concurrent.atomic.AtomicBoolean();

    TierStatements(Tier tier, TierConnection conn, TierListeners listeners) {
        this.tier = tier;
        this.engine = tier.engine();
        this.conn = conn;
        this.listeners = listeners;
    }


    /**
     * Runs a query with bound arguments and holds its result (at most {@link Rows#MAX_ROWS} rows). In an atomic step
     * the statement is checked first: it may not reach another tier through an unqualified name.
     */
    Rows query(String sql, Object... args) {
        conn.guard("query", sql);
        TierInternals.Query source = new TierInternals.Query(tier.name(), sql, java.util.Arrays.asList(args.clone()));
        if (previewNext.getAndSet(false)) {
            return preview(sql, args, source);
        }
        return hold(sql, args, source);
    }

    /** The next {@link #query} on this tier is a preview (the console shows a bare query's first rows); false takes it back. */
    void previewNextQuery(boolean on) {
        previewNext.set(on);
    }

    /**
     * A query as the console shows it: at most {@link Rows#PREVIEW_ROWS} rows read (the driver is told, so PostgreSQL
     * sends no more), the whole result when it is that short, else the rows shown and a refusal to be read as the whole.
     * Not counted further: counting a longer result would read all of it.
     */
    private Rows preview(String sql, Object[] args, TierInternals.Query source) {
        List<String> cols = new ArrayList<>();
        List<Object[]> values = new ArrayList<>();
        boolean[] more = {false};
        stream(sql, java.util.Arrays.asList(args), cols, Rows.PREVIEW_ROWS + 1, row -> {
            if (values.size() < Rows.PREVIEW_ROWS) {
                values.add(row.raw());
            } else {
                more[0] = true;
            }
        });
        if (!more[0]) {
            return new Rows(cols, values, source);
        }
        return Rows.partial(cols, new ArrayList<>(values.subList(0, Rows.DISPLAY_ROWS)), "tier '" + tier.name()
                + "': the query returned more than " + Format.count(Rows.PREVIEW_ROWS) + " rows. Assign it to hold it all (var r = "
                + tier.name() + ".query(…) holds up to " + Format.count(Rows.MAX_ROWS) + " rows), add a LIMIT, or stream it with "
                + tier.name() + ".each(sql, row -> …).");
    }

    /** {@link #query} for SQL this tier built itself (already qualified): no check. */
    Rows ask(String sql, Object... args) {
        return hold(sql, args, null);
    }

    private Rows hold(String sql, Object[] args, TierInternals.Query source) {
        List<String> cols = new ArrayList<>();
        List<Object[]> values = new ArrayList<>();
        stream(sql, java.util.Arrays.asList(args), cols, 0, row -> {
            if (values.size() >= Rows.MAX_ROWS) {
                throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "': the query returned more than "
                        + Format.count(Rows.MAX_ROWS) + " rows, more than query() holds. Add a LIMIT, or stream it with "
                        + tier.name() + ".each(sql, row -> ...); typed alone at the console prompt, a query shows its first rows.");
            }
            values.add(row.raw());
        });
        return new Rows(cols, values, source);
    }

    /** Streams every row of a query to {@code action}, holding one row at a time (checked in an atomic step, as {@link #query}). */
    void each(String sql, List<Object> args, Consumer<Row> action) {
        conn.guard("each", sql);
        scan(sql, args, action);
    }

    void scan(String sql, List<Object> args, Consumer<Row> action) {
        stream(sql, args, new ArrayList<>(), 0, action);
    }

    void each(String sql, Consumer<Row> action) {
        each(sql, List.of(), action);
    }

    /** Runs {@code sql} and hands each row to {@code action}; {@code maxRows} above 0 has the driver stop there. */
    private void stream(String sql, List<Object> args, List<String> colsOut, int maxRows, Consumer<Row> action) {
        try (PreparedStatement ps = conn.connection().prepareStatement(sql)) {
            bind(ps, args);
            if (maxRows > 0) {
                ps.setMaxRows(maxRows);
            }
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
            throw tier.fail(e, sql);
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
    int exec(String sql, Object... args) {
        return run("exec", sql, args);
    }

    private int run(String verb, String sql, Object... args) {
        requireWritable(sql);
        conn.guard(verb, sql);
        listeners.beforeWrite(sql);
        try (PreparedStatement ps = conn.connection().prepareStatement(sql)) {
            bind(ps, java.util.Arrays.asList(args));
            running = ps;
            boolean rs = ps.execute();
            int n = rs ? 0 : Math.max(0, ps.getUpdateCount());
            rowsChanged.addAndGet(n);
            return n;
        } catch (SQLException e) {
            throw tier.fail(e, sql);
        } finally {
            running = null;
        }
    }

    /**
     * Runs a multi-statement script: SQL text, or the path of a {@code .sql} file. Statements run in order;
     * the first failure stops the script and names the statement.
     */
    int script(String sqlOrFile) {
        String sql = sqlOrFile;
        String trimmed = sqlOrFile.strip();
        if (!trimmed.contains("\n") && trimmed.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")) {
            Path p = Path.of(trimmed);
            if (!p.isAbsolute() && tier.file() != null) {
                Path ws = tier.file().getParent();
                p = Files.exists(p) ? p : ws.resolve(trimmed);
            }
            try {
                sql = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Tier '" + tier.name() + "': cannot read script " + p + " (" + e.getMessage()
                        + "). Check the path.", e);
            }
        }
        int changed = 0;
        List<SqlLexer.Statement> statements;
        try {
            statements = SqlLexer.statements(sql, engine);
        } catch (SluiceException e) {
            throw new SluiceException(e.code(), "Tier '" + tier.name() + "': script not run: " + e.getMessage(), e);
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
        if (tier.readOnly()) {
            String head = SqlLexer.firstWord(sql, engine);
            if (!(head.equals("SELECT") || head.equals("WITH") || head.equals("PRAGMA") || head.equals("EXPLAIN"))) {
                throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' is read-only; refused: "
                        + TierErrors.abbreviate(sql) + ". Remove \"readOnly\" from its entry in sluice.json if it must change.");
            }
        }
    }


    /** Stops the statement running on this tier, from any thread (Ctrl-C). */
    void cancel() {
        cancels.incrementAndGet();
        try {
            if (conn.connection() instanceof SQLiteConnection sc) {
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
}
