package dev.sluice.tier;

import dev.sluice.error.SluiceException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The engine's levers on a {@link Tier}: its raw connection, atomic-step routing, listeners, observations, row
 * bookkeeping, error translation, cancellation and the transaction calls that bypass a step's ownership. For the engine
 * packages (data, snapshot, schema, history, playbook, journal, console, cli), not for operators: no compatibility
 * promise, and the console's startup script does not import it. Everything here is one call to a package-private method
 * of {@link Tier}, so {@code tier1.} at the prompt completes only the DSL.
 */
public final class TierInternals {
    private TierInternals() {
    }

    /** Hooks for the layers above (journal observations, step bookkeeping); the tier never knows who listens. */
    public interface Listener {
        /** A DSL call that returned a fact (count, checksum, integrity, fingerprint…). */
        default void observed(Tier tier, String call, List<Object> args, Object result) {
        }

        /** A statement that may change data is about to run on this tier. */
        default void beforeWrite(Tier tier, String sql) {
        }

        /**
         * A long read of {@code table} starts ({@code call}: "checksum"; {@code where} null: every row). What it returns
         * hears the rows read, a chunk at a time, possibly from two threads, and is closed when the read ends; null: not
         * watched (the read then reports nothing).
         */
        default RowsRead reading(Tier tier, String call, String table, String where) {
            return null;
        }

        /**
         * Long work on a set's files that reads no rows through a tier (a snapshot's copy and hash of a file, a restore's
         * copy back): {@code task} names the work and its phase, {@code unit} says what {@code total} and {@code done}
         * count ("bytes", "tables"; {@code ""} with a total of 0 for a phase of unknown size, as an integrity_check).
         * What it returns hears the amount done so far and is closed when the phase ends; null: not watched.
         */
        default Work working(String task, String unit, long total, long done) {
            return null;
        }
    }

    /**
     * The amount of a long piece of work done so far (see {@link Listener#working}): a number that only grows, from any
     * thread; closed when the phase ends, however it ends. Engine code asks {@link #watched()} before it pays for reporting.
     */
    public interface Work extends AutoCloseable {
        Work NONE = new Work() {
            @Override
            public void at(long done) {
            }

            @Override
            public void close() {
            }
        };

        void at(long done);

        default boolean watched() {
            return this != NONE;
        }

        @Override
        void close();
    }

    /** The first of the set's listeners that watches {@code task}, or {@link Work#NONE}: nobody watching costs nothing. */
    public static Work work(TierSet tiers, String task, String unit, long total, long done) {
        return tiers.working(task, unit, total, done);
    }

    /** Rows a long read reports as it goes (see {@link Listener#reading}); closed when the read ends, however it ends. */
    public interface RowsRead extends LongConsumer, AutoCloseable {
        @Override
        void close();
    }

    /**
     * The live JDBC connection, for code that needs JDBC itself. Do not close it. In an atomic step a routed tier answers
     * with the step's shared connection, on which the tier's file is ATTACHed as {@link #schemaName}.
     */
    public static Connection connection(Tier tier) {
        return tier.connection();
    }

    /** True while an atomic step routes the tier through the step's shared connection. */
    public static boolean routed(Tier tier) {
        return tier.routed();
    }

    /** The schema the tier's tables live in on {@link #connection}: its attached name when routed, else {@code main}. */
    public static String schemaName(Tier tier) {
        return tier.schemaName();
    }

    /** Refuses {@code what} while the tier is routed (helpers that ATTACH, or write main./temp. themselves). */
    public static void requireOwnConnection(Tier tier, String what) {
        tier.requireOwnConnection(what);
    }

    /**
     * Makes the next {@code query} on {@code tier} a preview, as the console does for a query typed bare at the prompt:
     * it reads at most {@link Rows#PREVIEW_ROWS} rows, and a longer result keeps only the rows shown ({@link Rows}).
     * {@code false} takes it back (the console does after each input, used or not).
     */
    public static void previewNextQuery(Tier tier, boolean on) {
        tier.previewNextQuery(on);
    }

    public static void addListener(Tier tier, Listener l) {
        tier.addListener(l);
    }

    public static void removeListener(Tier tier, Listener l) {
        tier.removeListener(l);
    }

    /** Listens to every tier of a set (a console's, a run's or a replay's session): no listener outlives its session. */
    public static void addListener(TierSet tiers, Listener l) {
        tiers.addListener(l);
    }

    public static void removeListener(TierSet tiers, Listener l) {
        tiers.removeListener(l);
    }

    /** Tells listeners about a fact a DSL call returned; returns it for chaining. */
    public static <T> T observe(Tier tier, String call, List<Object> args, T result) {
        return tier.observe(call, args, result);
    }

    /** The {@code tier.query(sql, args…)} call that returned some rows, as a journal names it. */
    public record Query(String tier, String sql, List<Object> args) {
    }

    /** The query call that returned {@code rows}, or null for rows made otherwise ({@code new Rows(…)}, a PRAGMA helper). */
    public static Query source(Rows rows) {
        return rows.source();
    }

    /** Whether {@code rows} is a console preview cut short: only its first rows are held, so it is no fact to compare. */
    public static boolean cutShort(Rows rows) {
        return rows.cutShort();
    }

    /** One value as a result table shows it (NULL, a blob's first bytes and size, control characters escaped). */
    public static String cell(Object value) {
        return TableRenderer.cell(value);
    }

    /** {@link Tier#tables()} without Sluice's own {@code sluice_*} bookkeeping tables. */
    public static List<String> dataTables(Tier tier) {
        return tier.dataTables();
    }

    /** Rows changed through this tier object since it opened (exec, script, and loads reported with {@link #addRowsChanged}). */
    public static long rowsChanged(Tier tier) {
        return tier.rowsChanged();
    }

    /** A load that wrote rows without exec (a COPY into PostgreSQL) counts them here. */
    public static void addRowsChanged(Tier tier, long rows) {
        tier.addRowsChanged(rows);
    }

    /** DETACHes {@code schema} as soon as the tier's open transaction ends (at once outside one). */
    public static void detachWhenTransactionEnds(Tier tier, String schema) {
        tier.detachWhenTransactionEnds(schema);
    }

    /** Which of this process's own connections holds the tier's file, in words, or null. */
    public static String ownHolder(Tier tier) {
        return tier.ownHolder();
    }

    /**
     * Closes the tier's connection, runs {@code whileClosed} (a restore replacing a damaged file), and opens the file again
     * on the same {@link Tier} object; see {@code Tier.reopen}. SQLite tiers only.
     */
    public static void reopen(Tier tier, Runnable whileClosed) {
        tier.reopen(whileClosed);
    }

    /** What the engine reported when a statement met a damaged page of the tier's file, or null. */
    public static String damage(Tier tier) {
        return tier.damage();
    }

    public static boolean isClosed(Tier tier) {
        return tier.isClosed();
    }

    /** Stops the statement running on the tier, from any thread (Ctrl-C, a batch's time cap, a run's cancel). */
    public static void cancel(Tier tier) {
        tier.cancel();
    }

    /** How many times the tier was cancelled so far: a change since a long read began means stop (reads on raw statements). */
    public static long cancels(Tier tier) {
        return tier.cancels();
    }

    /** Turns a driver exception into one line with the tier, the statement and the way on. */
    public static SluiceException fail(Tier tier, SQLException e, String sql) {
        return tier.fail(e, sql);
    }

    /** The first line of a driver message (for one-line errors elsewhere). */
    public static String firstLine(String message) {
        return TierErrors.firstLine(message);
    }

    /** Commits the tier's transaction for the engine (a step's decision, a batch, a helper's own transaction). */
    public static void commit(Tier tier) {
        tier.commitTransaction();
    }

    /** Rolls back the tier's transaction for the engine, whoever owns it. */
    public static void rollback(Tier tier) {
        tier.rollbackTransaction();
    }

    /**
     * Hands the tier's decisions to an owner (a playbook step): while {@code refusal} answers a message, the operator's
     * {@link Tier#commit()} and {@link Tier#rollback()} (and thaw) are refused with it; null releases the tier.
     */
    public static void decidedBy(Tier tier, Supplier<String> refusal) {
        tier.decidedBy(refusal);
    }
}
