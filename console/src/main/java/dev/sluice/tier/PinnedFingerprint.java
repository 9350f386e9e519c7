package dev.sluice.tier;

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
 * {@link PinnedWrites} makes the session's writes wait for {@link #close()} instead of failing after the busy timeout.
 */
public final class PinnedFingerprint implements AutoCloseable {
    private final Tier reader;
    private final Fingerprint schema;
    private final boolean blocksWriters;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

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

    /** Counts every data table as pinned (the slow part), then releases the pin. Throws when {@link #cancel()} stopped it. */
    public Map<String, Long> counts() {
        try {
            return reader.catalogue().rowCounts();
        } finally {
            close();
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
