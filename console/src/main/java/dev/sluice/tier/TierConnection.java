package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One tier's connection and transaction: its own JDBC connection, or the atomic step's {@link SharedConnection} it is
 * routed through (and how SQL must name its tables there); begin, commit and rollback, refused to the operator while a
 * playbook step owns the tier; freeze and thaw; the attachments to detach when the transaction ends; close.
 */
final class TierConnection {
    private final Tier tier;
    /** Replaced only by {@link #replace}: a restore swapped the damaged file under a closed connection (Tier.reopen). */
    private volatile Connection conn;
    private final Engine engine;
    private boolean inTransaction;
    private boolean frozen;
    /** While a playbook step owns this tier: the refusal for an operator's commit() or rollback() (null: nobody owns it). */
    private volatile Supplier<String> decisions;
    /** In an atomic step: the one connection every participant shares (null otherwise), and this tier's schema name there. */
    private volatile SharedConnection shared;
    private String schema;
    /** Schemas ATTACHed inside the open transaction (SQLite refuses DETACH there): detached as soon as it ends. */
    private final List<String> detachAtEnd = new CopyOnWriteArrayList<>();

    TierConnection(Tier tier, Connection conn, Engine engine) {
        this.tier = tier;
        this.conn = conn;
        this.engine = engine;
    }

    /** True while a transaction, a freeze or an atomic step holds the connection: it cannot be swapped then. */
    boolean busy() {
        return inTransaction || frozen || shared != null;
    }

    /** Closes the own connection: the file is about to be replaced under it (Tier.reopen). */
    void closeForReopen() {
        try {
            conn.close();
        } catch (SQLException e) {
            // The connection is going away whatever happens.
        }
    }

    /** Puts a freshly opened connection in place of the one {@link #closeForReopen} closed. */
    void replace(Connection fresh) {
        this.conn = fresh;
    }

    // ---------------------------------------------------------------- which connection, which schema

    /** The live connection: the step's shared one when routed, else the tier's own ({@link Tier#connection()}). */
    Connection connection() {
        SharedConnection s = shared;
        return s != null ? s.connection() : conn;
    }

    /** The tier's own connection, never the shared one it may be routed through. */
    Connection own() {
        return conn;
    }

    /** True while an atomic step routes this tier through the step's shared connection. */
    boolean routed() {
        return shared != null;
    }

    /** The schema the tier's tables live in on {@link #connection()}: its attached name when routed, else {@code main}. */
    String schemaName() {
        return shared != null ? schema : "main";
    }

    /** A table name as SQL the tier builds must write it ({@link Tier#qualified}). */
    String qualified(String table) {
        return shared != null ? Identifiers.quote(schema) + "." + Identifiers.quote(table) : Identifiers.quote(table);
    }

    /** {@code PRAGMA name}, or {@code PRAGMA "schema".name} when routed (an unqualified pragma acts on main, or on every schema). */
    String pragma(String name) {
        return shared != null ? "PRAGMA " + Identifiers.quote(schema) + "." + name : "PRAGMA " + name;
    }

    /** A pragma table-valued function with one argument, plus the schema argument when routed. */
    String pragmaFunction(String function) {
        return shared != null ? function + "(?, ?)" : function + "(?)";
    }

    List<Object> pragmaArgs(Object arg) {
        return shared != null ? List.of(arg, schema) : List.of(arg);
    }

    /** Routes the tier through the shared connection, on which its file is attached as {@code schemaName}. */
    void route(SharedConnection sharedConnection, String schemaName) {
        if (inTransaction) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' has an open transaction; it cannot join an atomic step.");
        }
        this.schema = schemaName;
        this.shared = sharedConnection;
    }

    /** Back to the tier's own connection. */
    void unroute() {
        this.shared = null;
        this.schema = null;
    }

    /** Refuses {@code what} while the tier is routed ({@link Tier#requireOwnConnection}). */
    void requireOwnConnection(String what) {
        SharedConnection s = shared;
        if (s != null) {
            throw new SharedConnection.Refused(ErrorCode.USAGE, what + " on tier '" + tier.name() + "' is refused inside atomic step '" + s.step()
                    + "': its tiers share one connection there. Run it in a step of its own, or drop atomic: true.");
        }
    }

    /** Checks raw SQL before it runs in an atomic step (no-op otherwise). */
    void guard(String verb, String sql) {
        SharedConnection s = shared;
        if (s != null) {
            s.check(tier, verb, sql);
        }
    }

    // ---------------------------------------------------------------- transactions

    /** Whether a transaction is open; a routed tier answers for the shared connection (the one transaction it is in). */
    boolean inTransaction() {
        SharedConnection s = shared;
        return s != null ? s.inTransaction() : inTransaction;
    }

    /** Opens a transaction (deferred). Refused when one is already open. A routed tier opens the shared connection's. */
    void begin() {
        if (shared != null) {
            shared.begin();
            return;
        }
        if (inTransaction) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' already has an open transaction. Commit or roll it back first.");
        }
        startTransaction(false);
    }

    private void startTransaction(boolean immediate) {
        try {
            if (engine == Engine.SQLITE) {
                try (Statement st = conn.createStatement()) {
                    st.execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
                }
            } else {
                conn.setAutoCommit(false);
            }
            inTransaction = true;
        } catch (SQLException e) {
            throw tier.fail(e, immediate ? "BEGIN IMMEDIATE" : "BEGIN");
        }
    }

    /** The operator's commit ({@link Tier#commit()}): refused while a playbook step owns the tier. */
    void commit() {
        refuseWhileOwned("commit()");
        commitTransaction();
    }

    /** The operator's rollback ({@link Tier#rollback()}): refused while a playbook step owns the tier. */
    void rollback() {
        refuseWhileOwned("rollback()");
        rollbackTransaction();
    }

    private void refuseWhileOwned(String call) {
        Supplier<String> owner = decisions;
        String refusal = owner == null ? null : owner.get();
        if (refusal != null) {
            throw new SluiceException(ErrorCode.USAGE, tier.name() + "." + call + " is refused: " + refusal);
        }
    }

    /** Hands the tier's decisions to a playbook step (null: back to the operator). */
    void decidedBy(Supplier<String> refusal) {
        this.decisions = refusal;
    }

    /** The engine's commit: a step's decision, a batch, a helper's own transaction. */
    void commitTransaction() {
        if (shared != null) {
            shared.commit();
            return;
        }
        endTransaction(true);
    }

    void rollbackTransaction() {
        if (shared != null) {
            shared.rollback();
            return;
        }
        endTransaction(false);
    }

    private void endTransaction(boolean commit) {
        if (!inTransaction) {
            return;
        }
        try {
            if (engine == Engine.SQLITE) {
                try (Statement st = conn.createStatement()) {
                    st.execute(commit ? "COMMIT" : "ROLLBACK");
                }
            } else {
                if (commit) {
                    conn.commit();
                } else {
                    conn.rollback();
                }
                conn.setAutoCommit(true);
            }
            inTransaction = false;
            frozen = false;
            detachPending();
        } catch (SQLException e) {
            if (!commit && engine == Engine.SQLITE && String.valueOf(e.getMessage()).contains("no transaction is active")) {
                // SQLite already rolled the transaction back itself (an interrupted or failed write does that).
                inTransaction = false;
                frozen = false;
                detachPending();
                return;
            }
            throw tier.fail(e, commit ? "COMMIT" : "ROLLBACK");
        }
    }

    /** DETACHes {@code schema} as soon as the transaction ends ({@link Tier#detachWhenTransactionEnds}); at once outside one. */
    void detachWhenTransactionEnds(String schema) {
        detachAtEnd.add(schema);
        if (!inTransaction()) {
            detachPending();
        }
    }

    private void detachPending() {
        for (String s : detachAtEnd) {
            detachAtEnd.remove(s);
            try (Statement st = conn.createStatement()) {
                st.execute("DETACH DATABASE " + Identifiers.quote(s));
            } catch (SQLException e) {
                // Already gone (the helper detached it itself, or the connection closed): nothing stays attached.
            }
        }
    }

    // ---------------------------------------------------------------- freeze

    boolean frozen() {
        return frozen;
    }

    /** Holds the tier's write lock ({@link Tier#freeze()}). */
    void freeze() {
        if (frozen) {
            return;
        }
        if (shared != null) {
            throw new SluiceException(ErrorCode.USAGE, "freeze() on tier '" + tier.name() + "' is refused inside an atomic step: its tiers share "
                    + "one connection and one transaction. Freeze in a step of its own, or drop atomic: true.");
        }
        if (engine != Engine.SQLITE) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "freeze() is not supported for " + engine.label()
                    + " tiers yet (tier '" + tier.name() + "'). Stop the writers by hand, or use LOCK TABLE inside the step.");
        }
        if (!inTransaction) {
            startTransaction(true);
        } else {
            // Take RESERVED inside the open transaction by rewriting a header field with its own value.
            Object v = tier.query("PRAGMA user_version").value();
            tier.exec("PRAGMA user_version = " + ((Number) v).longValue());
        }
        frozen = true;
    }

    /** Releases the write lock: commits the transaction freeze opened (anything written while frozen is kept). */
    void thaw() {
        if (frozen) {
            refuseWhileOwned("thaw()");
            commitTransaction();
        }
    }

    // ---------------------------------------------------------------- close

    boolean isClosed() {
        try {
            return conn.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Rolls back whatever is still open, then closes the connection. */
    void close() {
        try {
            if (!conn.isClosed()) {
                if (inTransaction) {
                    rollbackTransaction();
                }
                conn.close();
            }
        } catch (SQLException | SluiceException e) {
            // Closing: the connection is going away whatever happens.
        }
    }
}
