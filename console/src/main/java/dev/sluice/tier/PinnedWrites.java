package dev.sluice.tier;

import dev.sluice.workspace.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.sqlite.BusyHandler;
import org.sqlite.SQLiteConnection;

/**
 * Writes to a rollback-journal SQLite file while a {@link PinnedFingerprint} holds its SHARED lock (the journal header's
 * background counts, issue 18). Reads never conflict with that lock and run at once; a write's commit, or a cache spill,
 * needs EXCLUSIVE and would wait out the busy timeout, then fail with "database is locked". While pins are held, the
 * session's SQLite connections (each tier's own, and an atomic step's shared connection opened meanwhile) carry a busy
 * handler that, when SQLite reports the file busy, asks for the counts to run now, waits for the pins' release (our
 * own reader: it ends) and retries; with no pin held it does exactly what {@code busy_timeout} does (SQLite's own
 * delays, the same total), so another process's lock is waited on as before. A write never waits longer than the
 * connection's busy timeout for our own pins, and never fails because of them: once it has waited that long it gives
 * the pins up ({@link PinnedFingerprint#cancelFor}; those tiers are not counted, and the counts event says why) and
 * goes on. {@link #restoreWhenReleased()} puts the plain busy timeout back once the counts are done. Internal (the
 * journal's header): no compatibility promise.
 */
public final class PinnedWrites {
    /** Installed and not yet restored: an atomic step's shared connection opened meanwhile waits on their pins too. */
    private static final Set<PinnedWrites> ACTIVE = ConcurrentHashMap.newKeySet();

    private final List<PinnedFingerprint> pins;
    private final Runnable startNow;
    /** Each SQLite connection the handler went on, with the busy timeout to put back. */
    private final Map<Connection, Integer> installed = new LinkedHashMap<>();

    private PinnedWrites(List<PinnedFingerprint> pins, Runnable startNow) {
        this.pins = pins;
        this.startNow = startNow;
    }

    /**
     * Installs the handler on every SQLite tier's own connection of {@code tiers} when one of {@code pins} blocks writers;
     * null otherwise (nothing to do). {@code startNow}: starts the counts if they have not begun (a write waits on them).
     * Call on the thread that runs the tiers' statements, before the first input.
     */
    public static PinnedWrites install(Iterable<Tier> tiers, Collection<PinnedFingerprint> pins, Runnable startNow) {
        List<PinnedFingerprint> blocking = pins.stream().filter(PinnedFingerprint::blocksWriters).toList();
        if (blocking.isEmpty()) {
            return null;
        }
        PinnedWrites w = new PinnedWrites(blocking, startNow);
        for (Tier t : tiers) {
            if (t.engine() != Engine.SQLITE || t.routed()) {
                continue;
            }
            Connection c = t.connection();
            Integer ms = busyTimeout(c);
            if (ms == null) {
                continue;
            }
            try {
                BusyHandler.setHandler(c, w.handler(ms, t::cancels));
                w.installed.put(c, ms);
            } catch (SQLException e) {
                // The connection is gone or not SQLite's: its plain busy timeout stays.
            }
        }
        ACTIVE.add(w);
        return w;
    }

    /**
     * For an atomic step's shared connection opened while pins are held ({@code busyMillis}: its busy timeout): the same
     * handler, kept for the connection's life (equivalent to the busy timeout once the pins are released). {@code cancels}:
     * the participants' cancel count (Ctrl-C on any of them stops a wait).
     */
    static void onSharedConnection(Connection c, int busyMillis, LongSupplier cancels) {
        List<PinnedWrites> held = ACTIVE.stream().filter(PinnedWrites::held).toList();
        if (held.isEmpty()) {
            return;
        }
        try {
            BusyHandler.setHandler(c, new Handler(busyMillis, cancels, held));
        } catch (SQLException e) {
            // its plain busy timeout stays
        }
    }

    private Handler handler(int busyMillis, LongSupplier cancels) {
        return new Handler(busyMillis, cancels, List.of(this));
    }

    /** True while one of the pins holds its file's read lock. */
    boolean held() {
        for (PinnedFingerprint p : pins) {
            if (!p.released()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Puts the plain busy timeout back on each connection once every pin is released; true when done (or nothing was
     * installed). Call on the thread that runs the tiers' statements, between them (the console: before an input).
     */
    public synchronized boolean restoreWhenReleased() {
        if (held()) {
            return false;
        }
        restore();
        return true;
    }

    /** Puts the plain busy timeout back now (the session ends). */
    public synchronized void restore() {
        ACTIVE.remove(this);
        for (Map.Entry<Connection, Integer> e : installed.entrySet()) {
            Connection c = e.getKey();
            try {
                if (c.isClosed()) {
                    continue;
                }
                Integer now = busyTimeout(c);
                if (now != null && now != 0) {
                    continue; // an operator's PRAGMA busy_timeout replaced the handler since: theirs stays
                }
                BusyHandler.clearHandler(c);
                if (c instanceof SQLiteConnection sc) {
                    sc.setBusyTimeout(e.getValue());
                }
            } catch (SQLException ex) {
                // The connection is gone: nothing to put back.
            }
        }
        installed.clear();
    }

    private static Integer busyTimeout(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA busy_timeout")) {
            return rs.next() ? rs.getInt(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** SQLite's busy handler for one connection: waits for held pins, else sleeps as busy_timeout would. */
    private static final class Handler extends BusyHandler {
        /** sqlite3's default busy callback: its delays and their running totals, in milliseconds. */
        private static final int[] DELAYS = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
        private static final int[] TOTALS = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228};

        private final int timeoutMillis;
        private final LongSupplier cancels;
        private final List<PinnedWrites> owners;
        private long cancelsAtStart;
        private long startedAt;
        private int tries;

        Handler(int timeoutMillis, LongSupplier cancels, List<PinnedWrites> owners) {
            this.timeoutMillis = timeoutMillis;
            this.cancels = cancels;
            this.owners = owners;
        }

        @Override
        protected int callback(int count) {
            if (count == 0) {
                cancelsAtStart = cancels.getAsLong();
                startedAt = System.nanoTime();
                tries = 0;
            }
            try {
                int waited = awaitPins();
                if (waited != 0) {
                    tries = 0; // the busy timeout counts from the pins' release: another holder gets the full wait
                    return waited > 0 ? 1 : 0;
                }
                return sleepAsBusyTimeout(tries++) ? 1 : 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        /** 1: waited for held pins (retry); 0: none held; -1: the statement was cancelled while waiting (give up). */
        private int awaitPins() throws InterruptedException {
            List<PinnedFingerprint> held = new ArrayList<>();
            for (PinnedWrites w : owners) {
                for (PinnedFingerprint p : w.pins) {
                    if (!p.released()) {
                        held.add(p);
                        w.startNow.run();
                    }
                }
            }
            if (held.isEmpty()) {
                return 0;
            }
            long deadline = startedAt + timeoutMillis * 1_000_000L;
            for (PinnedFingerprint p : held) {
                while (true) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (p.awaitRelease(Math.max(1, Math.min(50, left)))) {
                        break;
                    }
                    if (cancels.getAsLong() != cancelsAtStart) {
                        return -1; // Ctrl-C: sqlite3_interrupt is not seen by a busy wait, this is
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        // Waited the busy timeout for our own pins: give them up rather than fail or wait on. SQLite's busy
                        // handler is not told which file is busy, so every pin still held that blocks writers is given up,
                        // not only this write's file: those tiers go uncounted, and the counts event says why. Called
                        // again each turn: an interrupt that fell between two tables' counts is repeated.
                        for (PinnedFingerprint q : held) {
                            q.cancelFor(WRITE_CAME_FIRST);
                        }
                    }
                }
            }
            return 1;
        }

        /** Why a pin given up for a write is not counted (the counts event's {@code notCounted}). */
        static final String WRITE_CAME_FIRST = "a write came before its rows were counted";

        private boolean sleepAsBusyTimeout(int n) throws InterruptedException {
            int delay = n < DELAYS.length ? DELAYS[n] : 100;
            int prior = n < DELAYS.length ? TOTALS[n] : TOTALS[DELAYS.length - 1] + 100 * (n - (DELAYS.length - 1));
            if (prior + delay > timeoutMillis) {
                delay = timeoutMillis - prior;
                if (delay <= 0) {
                    return false;
                }
            }
            if (cancels.getAsLong() != cancelsAtStart) {
                return false;
            }
            Thread.sleep(delay);
            return true;
        }
    }
}
