package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A tier's fingerprint read on a second, read-only connection whose transaction is pinned when this opens: the schema
 * part at once, the row counts later ({@link #counts()}, on any thread) as of that same moment, so that counting a large
 * tier need not hold up the console. Internal (the journal's header): no compatibility promise.
 * <p>How far the pin holds depends on the engine: a WAL SQLite file keeps the reader's snapshot while the tier's own
 * connection writes; PostgreSQL keeps it in a REPEATABLE READ transaction; a rollback-journal SQLite file keeps it by a
 * SHARED lock, which a writer's commit (or cache spill) waits on: {@link #blocksWriters()} says so, and
 * {@link PinnedWrites} makes the session's writes wait for {@link #close()} instead of failing, for at most the tier's
 * busy timeout: then it cancels the pin ({@link #cancelFor}) and the write goes on, the tier not counted. A PostgreSQL
 * count waits at most {@link #LOCK_TIMEOUT} for a table lock (an open step's {@code ALTER TABLE}), then gives up.
 */
public final class PinnedFingerprint implements AutoCloseable {
    private final Tier reader;
    private final Fingerprint schema;
    private final boolean blocksWriters;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    /** Guards {@link #counting} and {@link #cancelledBecause}: a pin cancelled before its count began never begins it. */
    private final Object state = new Object();
    private boolean counting;
    private volatile String cancelledBecause;

    /**
     * How long a PostgreSQL count waits for a table's lock (SQL {@code lock_timeout}): a step's {@code ALTER TABLE} holds
     * ACCESS EXCLUSIVE while the operator looks, and a count waiting behind it would hold its ACCESS SHARE locks and the
     * other tiers' pins behind it for as long.
     */
    static final String LOCK_TIMEOUT = "1s";

    private PinnedFingerprint(Tier reader, Fingerprint schema, boolean blocksWriters) {
        this.reader = reader;
        this.schema = schema;
        this.blocksWriters = blocksWriters;
    }

    /**
     * Pins {@code tier}'s current state on a connection of its own and reads its schema there; null when that cannot be
     * done (an in-memory SQLite database, a damaged or routed tier, a second connection refused): the caller then
     * fingerprints the tier itself, as before.
     */
    public static PinnedFingerprint pin(Tier tier) {
        if (tier.damage() != null || tier.routed() || tier.inTransaction() || (tier.engine() == Engine.SQLITE && tier.file() == null)) {
            return null;
        }
        TierConfig c = tier.config();
        Map<String, String> pragmas = new HashMap<>();
        pragmas.put("busy_timeout", c.pragmas().getOrDefault("busy_timeout", "5000"));
        TierConfig ro = new TierConfig(c.name(), c.url(), c.user(), c.password(), pragmas, true, c.optional(), false, c.sqliteFile());
        Tier reader;
        try {
            reader = Tier.open(ro, false, false);
        } catch (SluiceException e) {
            return null;
        }
        try {
            if (reader.engine() != Engine.SQLITE) {
                reader.connection().setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            reader.begin();
            if (reader.engine() == Engine.POSTGRESQL) {
                // SET takes no snapshot: the first read below still pins the state; LOCAL ends with the pin's transaction.
                try (java.sql.Statement st = reader.connection().createStatement()) {
                    st.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                }
            }
            // The first read pins the state: a WAL read mark, a SHARED lock, or PostgreSQL's transaction snapshot.
            Fingerprint f = reader.checks().withoutCounts();
            boolean blocks = reader.engine() == Engine.SQLITE && !"wal".equalsIgnoreCase(f.journalMode());
            return new PinnedFingerprint(reader, f, blocks);
        } catch (SluiceException | SQLException e) {
            reader.close();
            return null;
        }
    }

    /** Engine, version, schema hash, file size and journal mode as pinned; {@code counts} is null. */
    public Fingerprint schema() {
        return schema;
    }

    /** True when the pin is a SHARED lock (rollback-journal SQLite): a write to the tier waits until it is released. */
    public boolean blocksWriters() {
        return blocksWriters;
    }

    /**
     * Counts every data table as pinned (the slow part), then releases the pin. Throws when {@link #cancel()} or
     * {@link #cancelFor} stopped it, or a PostgreSQL table stayed locked past {@link #LOCK_TIMEOUT}: {@link #notCountedBecause()}
     * then says why in words for the journal.
     */
    public Map<String, Long> counts() {
        try {
            synchronized (state) {
                if (cancelledBecause != null || released()) {
                    throw new SluiceException(ErrorCode.CANCELLED, cancelledBecause != null ? cancelledBecause : "the pin was released");
                }
                counting = true;
            }
            Map<String, Long> c = reader.catalogue().rowCounts(() -> cancelledBecause != null);
            if (c == null) {
                throw new SluiceException(ErrorCode.CANCELLED, cancelledBecause);
            }
            return c; // complete even if given up meanwhile: an interrupt that came too late to stop it changed nothing
        } catch (SluiceException e) {
            if (cancelledBecause == null && lockTimedOut(e)) {
                cancelledBecause = "a table stayed locked by another transaction (an open step's ALTER TABLE?) for longer than "
                        + "lock_timeout " + LOCK_TIMEOUT;
            }
            throw e;
        } finally {
            close(); // the rollback releases a PostgreSQL count's ACCESS SHARE locks, a SQLite file's SHARED lock
        }
    }

    /** Why {@link #counts()} gave up without counting (a write came first, a table stayed locked), or null. */
    public String notCountedBecause() {
        return cancelledBecause;
    }

    private static boolean lockTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && "55P03".equals(s.getSQLState())) { // PostgreSQL's lock_not_available
                return true;
            }
        }
        return false;
    }

    /**
     * Gives the pin up so that a write waiting for it goes on ({@link PinnedWrites}, from the writing thread): a count not
     * begun never begins and the pin is released now; a count under way is interrupted and releases it when it stops
     * (call again while waiting: an interrupt between two tables' counts is lost, the next table's check is not).
     * {@link #notCountedBecause()} then answers {@code why}.
     */
    void cancelFor(String why) {
        boolean closeNow;
        synchronized (state) {
            if (released()) {
                return;
            }
            if (cancelledBecause == null) {
                cancelledBecause = why;
            }
            closeNow = !counting;
        }
        if (closeNow) {
            close();
        } else {
            reader.cancel();
        }
    }

    /**
     * What the engine reported when counting met a damaged page (deeper than the schema the pin read), or null; {@link
     * #counts()} threw then. The tier's own connection is marked damaged too, as its own fingerprint would have.
     */
    public String damage(Tier tier) {
        String d = reader.damage();
        if (d != null && tier.damage() == null) {
            tier.errors().damaged(d);
        }
        return d;
    }

    /** Stops {@link #counts()} from any thread. */
    public void cancel() {
        reader.cancel();
    }

    /** Releases the pin (rolls the read transaction back) if {@link #counts()} has not. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return; // closed, or being closed by another thread: released() says when it is done
        }
        try {
            reader.close();
        } finally {
            released.countDown();
        }
    }

    /** True once the pin is released: its read lock no longer holds anyone up. */
    public boolean released() {
        return released.getCount() == 0;
    }

    /** Waits up to {@code millis} for the pin's release; true when released. */
    boolean awaitRelease(long millis) throws InterruptedException {
        return released.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
