package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;

/**
 * SQLite tiers ATTACHed to one connection for an atomic step, so that one COMMIT covers every file (SQLite's
 * super-journal). The connection's main database is an empty scratch file in the workspace's {@code .sluice} folder,
 * not a tier: every participant is attached under its own name, so {@code tier1.items} and {@code tier2.items} both
 * mean what they say, and every participant is routed ({@link Tier#connection()} answers with this connection, SQL the
 * tier builds is qualified with {@link Tier#qualified}). SQLite writes the super-journal beside the main file, which is
 * why the scratch file lives in the workspace (persistent) rather than in a temp folder: a crash between the files'
 * commits is rolled back from it when a tier is next opened.
 *
 * <p>Raw SQL is checked before it runs ({@link #check}): {@code EXPLAIN} says which databases a statement opens, and a
 * statement issued through one tier that reaches another tier (or the scratch main) without naming it is refused.
 */
public final class SharedConnection implements AutoCloseable {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Something a step cannot do on the shared connection (copy, consolidate, a non-transactional action, SQL reaching
     * another tier unqualified). A step that is atomic only by default runs again tier by tier instead (README, "Playbooks").
     */
    public static final class Refused extends SluiceException {
        public Refused(ErrorCode code, String message) {
            super(code, message);
        }

        /** Whether {@code e} or one of its causes is such a refusal. */
        public static boolean in(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof Refused) {
                    return true;
                }
            }
            return false;
        }
    }

    private final String step;
    private final Path scratch;
    private final Connection conn;
    private final List<Tier> routed = new ArrayList<>();
    private final Map<Integer, String> schemaByIndex = new LinkedHashMap<>();
    private final Map<String, Tier> tierBySchema = new LinkedHashMap<>();
    private boolean inTransaction;

    private SharedConnection(String step, Path scratch, Connection conn) {
        this.step = step;
        this.scratch = scratch;
        this.conn = conn;
    }

    /**
     * Opens the scratch main database {@code scratch}, attaches every participant's file under the tier's name and
     * routes the tiers. {@code note} hears each ATTACH. On failure nothing stays attached or routed.
     */
    public static SharedConnection attach(String step, Path scratch, List<Tier> participants, Consumer<String> note) {
        SharedConnection s;
        try {
            Files.createDirectories(scratch.toAbsolutePath().getParent());
            SQLiteConfig sc = new SQLiteConfig();
            // One connection, one foreign_keys setting: enforced when any participant enforces it (the default).
            boolean fk = false;
            for (Tier t : participants) {
                String v = t.config().pragmas().getOrDefault("foreign_keys", "ON").strip().toLowerCase(Locale.ROOT);
                fk |= v.equals("on") || v.equals("1") || v.equals("true") || v.equals("yes");
            }
            sc.enforceForeignKeys(fk);
            int busy = 0;
            for (Tier t : participants) {
                busy = Math.max(busy, Integer.parseInt(t.config().pragmas().getOrDefault("busy_timeout", "5000")));
            }
            sc.setBusyTimeout(busy); // one busy handler for the whole connection: the most patient participant's
            s = new SharedConnection(step, scratch, sc.createConnection("jdbc:sqlite:" + scratch.toAbsolutePath()));
            // A console's journal counts may hold a rollback-journal participant's read lock: the commit waits for them.
            List<Tier> all = List.copyOf(participants);
            PinnedWrites.onSharedConnection(s.conn, busy, () -> all.stream().mapToLong(Tier::cancels).sum());
        } catch (IOException | SQLException e) {
            throw new SluiceException(ErrorCode.IO, "Atomic step '" + step + "': cannot open the shared connection on " + scratch
                    + " (" + TierErrors.firstLine(e.getMessage()) + "). Check that the workspace folder is writable.", e);
        }
        try {
            for (Tier t : participants) {
                String name = t.name();
                note.accept("atomic step '" + step + "': ATTACH DATABASE '" + t.file() + "' AS " + Identifiers.quote(name)
                        + " on the step's shared connection");
                try (PreparedStatement ps = s.conn.prepareStatement("ATTACH DATABASE ? AS " + Identifiers.quote(name))) {
                    ps.setString(1, t.file().toAbsolutePath().toString());
                    ps.execute();
                }
                t.route(s, name);
                s.routed.add(t);
                s.tierBySchema.put(name.toLowerCase(Locale.ROOT), t);
            }
            try (Statement st = s.conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
                while (rs.next()) {
                    s.schemaByIndex.put(rs.getInt(1), rs.getString(2));
                }
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            s.close();
            if (e instanceof SluiceException se) {
                throw se;
            }
            throw new SluiceException(ErrorCode.SQL, "Atomic step '" + step + "': cannot attach the tiers to one connection ("
                    + TierErrors.firstLine(e.getMessage()) + "). Drop atomic: true, or check the files.", e);
        }
    }

    Connection connection() {
        return conn;
    }

    String step() {
        return step;
    }

    /** The routed tiers, in attach order. */
    public List<Tier> tiers() {
        return List.copyOf(routed);
    }

    /** The participant a schema name on this connection belongs to (the update hook's {@code db}), or null (main, temp). */
    public Tier tierOf(String schema) {
        return schema == null ? null : tierBySchema.get(schema.toLowerCase(Locale.ROOT));
    }

    boolean inTransaction() {
        return inTransaction;
    }

    void begin() {
        if (inTransaction) {
            throw new SluiceException(ErrorCode.USAGE, "Atomic step '" + step + "' already has an open transaction. Commit or roll it back first.");
        }
        run("BEGIN");
        inTransaction = true;
    }

    /** One COMMIT for every attached file. On failure (e.g. SQLITE_BUSY) the transaction stays open for a rollback. */
    void commit() {
        if (inTransaction) {
            run("COMMIT");
            inTransaction = false;
        }
    }

    void rollback() {
        if (!inTransaction) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                throw fail(e, "ROLLBACK");
            }
        }
        inTransaction = false;
    }

    private void run(String sql) {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw fail(e, sql);
        }
    }

    private SluiceException fail(SQLException e, String sql) {
        String names = String.join(", ", routed.stream().map(Tier::name).toList());
        return new SluiceException(e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY") ? ErrorCode.LOCKED : ErrorCode.SQL,
                sql + " of atomic step '" + step + "' on " + names + " failed (" + TierErrors.firstLine(e.getMessage()) + ")", e);
    }

    /**
     * Refuses {@code sql}, issued through {@code through}, when it reaches another tier's file (or the scratch main)
     * without naming that schema: on the shared connection an unqualified name resolves temp → main → attached in order,
     * so it may land on a same-named table of another tier. Statements EXPLAIN cannot compile just run.
     */
    void check(Tier through, String verb, String sql) {
        Map<Integer, Integer> reached = new LinkedHashMap<>(); // database index → a root page opened there (0: none)
        try (PreparedStatement ps = conn.prepareStatement("EXPLAIN " + sql)) {
            int n = ps.getParameterMetaData().getParameterCount();
            for (int i = 1; i <= n; i++) {
                ps.setNull(i, java.sql.Types.NULL);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String op = rs.getString("opcode");
                    if ("Transaction".equals(op)) {
                        reached.putIfAbsent(rs.getInt("p1"), 0);
                    } else if ("OpenRead".equals(op) || "OpenWrite".equals(op)) {
                        int db = rs.getInt("p3");
                        if (reached.getOrDefault(db, 0) == 0) {
                            reached.put(db, rs.getInt("p2"));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            return; // not a statement EXPLAIN compiles (or a broken one): it runs, and fails on its own if it must
        }
        String own = through.schemaName();
        for (var e : reached.entrySet()) {
            String schema = schemaByIndex.get(e.getKey());
            if (schema == null || schema.equalsIgnoreCase("temp") || schema.equalsIgnoreCase(own)) {
                continue;
            }
            Tier other = tierOf(schema);
            String table = e.getValue() == 0 ? null : tableAt(schema, e.getValue());
            if (other != null && names(sql, schema, table)) {
                continue;
            }
            String where = other == null ? "the step's scratch main database (where an unqualified new table goes)"
                    : "tier '" + other.name() + "' (an unqualified name resolved there";
            String qualify = table == null
                    ? "Qualify its tables with the tier's name, as " + show(own) + ".table" + (other == null ? "" : " or " + show(schema) + ".table") + "."
                    : "Qualify the table as " + show(own) + "." + show(table) + (other == null ? "" : " or " + show(schema) + "." + show(table)) + ".";
            throw new Refused(ErrorCode.USAGE, through.name() + "." + verb + ": in atomic step '" + step + "' this statement reaches "
                    + where + (other == null ? " (" : ": ") + "every tier shares one connection in an atomic step). " + qualify);
        }
    }

    /**
     * Whether the SQL names {@code schema.table} (or, when the table is unknown, {@code schema.} anything), quoted or not,
     * outside string literals and comments. A column qualifier or a literal that merely looks like the schema's name
     * ({@code WHERE events.id < 100}, {@code 'moved to tier1. ok'}) does not count: only a table reached by its qualified
     * name may be in another tier.
     */
    static boolean names(String sql, String schema, String table) {
        List<SqlLexer.Token> code = SqlLexer.code(sql, Engine.SQLITE);
        for (int i = 0; i + 2 < code.size(); i++) {
            boolean qualified = i > 0 && code.get(i - 1).text().equals(".");
            if (!qualified && isName(code.get(i), schema) && code.get(i + 1).text().equals(".")
                    && (table == null ? isName(code.get(i + 2), null) : isName(code.get(i + 2), table))) {
                return true;
            }
        }
        return false;
    }

    /** A name token (bare, "double-quoted", [bracketed] or `backticked`) reading {@code name}, or any name when null. */
    private static boolean isName(SqlLexer.Token t, String name) {
        return (t.kind() == SqlLexer.Kind.WORD || t.kind() == SqlLexer.Kind.QUOTED_NAME) && (name == null || t.name().equalsIgnoreCase(name));
    }

    private String tableAt(String schema, int rootPage) {
        if (rootPage == 1) {
            return "sqlite_schema";
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT tbl_name FROM " + Identifiers.quote(schema) + ".sqlite_schema WHERE rootpage = ?")) {
            ps.setInt(1, rootPage);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    private static String show(String name) {
        return PLAIN.matcher(name).matches() ? name : Identifiers.quote(name);
    }

    /** Schema names on the connection now (main and temp included): what {@code PRAGMA database_list} lists. */
    public Set<String> schemas() {
        Set<String> out = new LinkedHashSet<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
            while (rs.next()) {
                out.add(rs.getString(2));
            }
        } catch (SQLException e) {
            throw fail(e, "PRAGMA database_list");
        }
        return out;
    }

    /**
     * Ends the sharing: rolls back a transaction still open, unroutes every tier, DETACHes every file, closes the
     * connection and deletes the scratch file (never a super-journal beside it: SQLite deletes its own, and one left by a
     * crash is what recovery needs). Throws the first failure after doing all it can.
     */
    @Override
    public void close() {
        RuntimeException first = null;
        try {
            rollback();
        } catch (RuntimeException e) {
            first = e;
        }
        for (Tier t : routed) {
            t.unroute();
        }
        for (Tier t : routed) {
            try (Statement st = conn.createStatement()) {
                st.execute("DETACH DATABASE " + Identifiers.quote(t.name()));
            } catch (SQLException e) {
                first = first == null ? fail(e, "DETACH " + t.name()) : first;
            }
        }
        routed.clear();
        try {
            conn.close();
            Files.deleteIfExists(scratch);
            Files.deleteIfExists(scratch.resolveSibling(scratch.getFileName() + "-journal"));
        } catch (SQLException | IOException e) {
            first = first == null ? new SluiceException(ErrorCode.IO, "Atomic step '" + step + "': cannot close the shared connection ("
                    + TierErrors.firstLine(e.getMessage()) + ").", e) : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
