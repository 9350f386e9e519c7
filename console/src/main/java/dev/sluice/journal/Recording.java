package dev.sluice.journal;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.PinnedFingerprint;
import dev.sluice.tier.PinnedWrites;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A journal attached to a session: it takes the workspace fingerprint for the header, listens to every tier's
 * observations while open, and writes the end event on close. The console and {@code sluice run} each hold one.
 * <p>{@link #startCountingLater} leaves the header's row counts to a background thread reading a pinned snapshot of the
 * moment the header was written ({@link PinnedFingerprint}), so start-up does not grow with the data: the counts follow
 * as a {@code counts} event, or that event says which tiers were not counted (the session ended first, a write came
 * first, a table stayed locked). Rollback-journal SQLite files are counted first and at once, whatever their size: their
 * pin is a SHARED lock that keeps every writer out (other processes' too), released as soon as that tier is counted.
 * Then small SQLite files, at once; the others once the first input has run ({@link #afterInput()}), or after
 * {@link #START_DELAY_MS} (a console waiting at its prompt), or at once when a write needs a rollback-journal tier's
 * pinned read lock released ({@link PinnedWrites}): a big count never competes with the start-up itself. A write waits
 * at most its busy timeout for that lock, then the pin is given up and the tier not counted. A session that ends before
 * they finish has them cancelled, unless what is left is small SQLite files ({@link #FINISH_ON_CLOSE_BYTES}), counted
 * then in a few milliseconds.
 */
public final class Recording implements AutoCloseable {
    private final Session session;
    private final Journal journal;
    private final List<Fingerprint> fingerprints;
    private int status;
    private String cancelled;
    /** Tiers whose counts are taken later, by name; empty when the header holds every count. */
    private final Map<String, PinnedFingerprint> pins;
    private final boolean pinBlocksWriters;
    private final CountDownLatch counted = new CountDownLatch(1);
    private final Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
    private final Map<String, String> notCounted = new LinkedHashMap<>();
    private volatile boolean stopCounting;
    private boolean countsWritten;
    private Thread counter;
    private volatile java.util.function.Consumer<Tier> onDamage;
    /** Opened by the first input's end, a write waiting on a pin, or the session's close: the counts may begin. */
    private final CountDownLatch go = new CountDownLatch(1);
    /** The busy handler on the session's SQLite connections while a rollback-journal tier is pinned; null otherwise. */
    private PinnedWrites writes;
    private boolean gated;
    /** {@link #START_DELAY_MS} and {@link #FINISH_ON_CLOSE_BYTES}, unless a test says otherwise. */
    private long startDelayMs = START_DELAY_MS;
    private long smallBytes = FINISH_ON_CLOSE_BYTES;

    /** How long the counts wait for the first input to end before they begin anyway (a console at its prompt). */
    static final long START_DELAY_MS = 2000;
    /** At close, unfinished counts of SQLite files this small in total are finished rather than cancelled. */
    static final long FINISH_ON_CLOSE_BYTES = 32L << 20;

    /**
     * Where the start-up trace goes: set by the CLI's {@code main} under {@code -Dsluice.debug.startup=true} (it prints),
     * null otherwise (nothing is traced). Engine code never prints; a debug aid for measuring start-up phases.
     */
    private static volatile java.util.function.Consumer<String> traceSink;
    private static volatile java.time.Instant jvmStart;

    /** Sends the start-up trace to {@code sink} (the CLI's stderr), or nowhere with null. Debug only. */
    public static void traceTo(java.util.function.Consumer<String> sink) {
        traceSink = sink;
    }

    /** One line to the trace sink, if any: milliseconds since the JVM started and {@code what}. Nothing otherwise. */
    public static void trace(String what) {
        java.util.function.Consumer<String> sink = traceSink;
        if (sink == null) {
            return;
        }
        if (jvmStart == null) {
            // -Dsluice.debug.t0=EPOCH_NANOS (the launcher's date +%s%N): the process's own start time is coarse.
            String t0 = System.getProperty("sluice.debug.t0");
            jvmStart = t0 != null ? java.time.Instant.ofEpochSecond(0, Long.parseLong(t0))
                    : ProcessHandle.current().info().startInstant().orElse(java.time.Instant.now());
        }
        long ms = java.time.Duration.between(jvmStart, java.time.Instant.now()).toMillis();
        sink.accept("[startup +" + ms + " ms, " + Thread.currentThread().getName() + "] " + what);
    }

    private Recording(Session session, Journal journal, List<Fingerprint> fingerprints, Map<String, PinnedFingerprint> pins) {
        this.session = session;
        this.journal = journal;
        this.fingerprints = new ArrayList<>(fingerprints);
        this.pins = pins;
        this.pinBlocksWriters = pins.values().stream().anyMatch(PinnedFingerprint::blocksWriters);
    }

    /** Starts recording {@code session} into its workspace's journal folder ({@code kind}: console, run, replay). */
    public static Recording start(Session session, String kind) {
        return start(session, kind, false);
    }

    /** As {@link #start(Session, String)}; {@code sandbox}: the session's tiers are sandbox copies, which the header records. */
    public static Recording start(Session session, String kind, boolean sandbox) {
        return start(session, kind, sandbox, false);
    }

    /**
     * As {@link #start(Session, String, boolean)}, but the row counts are taken on a background thread, on a second
     * connection per tier pinned at this moment: the header holds the schema part now. Call {@link #beforeInput()}
     * before each input runs: on a rollback-journal SQLite tier it waits for the counts, whose read lock a write would
     * wait on.
     */
    public static Recording startCountingLater(Session session, String kind, boolean sandbox) {
        return start(session, kind, sandbox, true, null);
    }

    /** As {@link #startCountingLater}; the counts begin once {@code gate} opens (tests: an input before the counts). */
    static Recording startCountingLater(Session session, String kind, CountDownLatch gate) {
        return start(session, kind, false, true, gate);
    }

    private static Recording start(Session session, String kind, boolean sandbox, boolean later) {
        return start(session, kind, sandbox, later, null);
    }

    /**
     * As {@link #startCountingLater}, counting tiers over {@code smallBytes} only after {@code startDelayMs} or the first
     * input (tests: a big tier without making one).
     */
    static Recording startCountingLater(Session session, String kind, long startDelayMs, long smallBytes) {
        return start(session, kind, false, true, null, startDelayMs, smallBytes);
    }

    private static Recording start(Session session, String kind, boolean sandbox, boolean later, CountDownLatch gate) {
        return start(session, kind, sandbox, later, gate, START_DELAY_MS, FINISH_ON_CLOSE_BYTES);
    }

    private static Recording start(Session session, String kind, boolean sandbox, boolean later, CountDownLatch gate,
                                   long startDelayMs, long smallBytes) {
        trace("recording: pinning");
        List<Fingerprint> fp = new ArrayList<>();
        Map<String, PinnedFingerprint> pins = new LinkedHashMap<>();
        for (Tier t : session.tiers()) {
            // A SQLite file small enough to count in milliseconds is counted now, on the tier's own connection, as before
            // there were pins: no second connection, no held lock, no busy handler for a write to wait in. Only the
            // tiers whose counts would cost start-up time are pinned and counted in the background (tests with a gate
            // pin every tier, to hold the counts back).
            PinnedFingerprint pin = later && (gate != null || !smallFile(t, smallBytes)) ? PinnedFingerprint.pin(t) : null;
            trace("recording: " + t.name() + (pin != null ? " pinned" : " fingerprinted"));
            if (pin != null) {
                pins.put(t.name(), pin);
                fp.add(pin.schema());
                continue;
            }
            try {
                fp.add(t.fingerprint());
            } catch (dev.sluice.error.SluiceException e) {
                if (TierInternals.damage(t) == null) {
                    throw e;
                }
                // A damaged tier must not keep the console from starting: integrity() and restore are the way out.
                fp.add(Fingerprint.damaged(t.name(), t.engine().label(), t.engineVersion(), fileBytes(t)));
            }
        }
        Journal j;
        try {
            j = Journal.start(session.workspace().journalDir(), kind, Sluice.version(), session.workspace().dir(), fp,
                    session.workspace().secrets(), sandbox);
        } catch (RuntimeException e) {
            pins.values().forEach(PinnedFingerprint::close);
            throw e;
        }
        trace("recording: journal started");
        for (Tier t : session.tiers()) {
            TierInternals.addListener(t, j);
        }
        Recording r = new Recording(session, j, fp, pins);
        r.startDelayMs = startDelayMs;
        r.smallBytes = smallBytes;
        trace("recording: header written, " + pins.size() + " tier(s) pinned");
        if (pins.isEmpty()) {
            r.counted.countDown();
        } else {
            r.gated = gate != null;
            try {
                // Reads run at once; a write to a rollback-journal tier waits for its pin (up to its busy timeout, then the pin goes).
                r.writes = PinnedWrites.install(session.tiers(), pins.values(), r::go);
                r.counter = new Thread(() -> r.count(gate), "sluice-journal-counts");
                r.counter.setDaemon(true); // a killed or exiting console does not wait for it: the journal says what was not counted
                r.counter.setPriority(Thread.MIN_PRIORITY);
                r.counter.start();
            } catch (RuntimeException | Error e) {
                r.closePins();
                if (r.writes != null) {
                    r.writes.restore();
                }
                r.counted.countDown();
                throw e;
            }
        }
        return r;
    }

    /** The background thread: counts each pinned tier in turn (one at a time: they share the disk), then writes the event. */
    private void count(CountDownLatch gate) {
        try {
            // Pins that keep writers out first and at once (a SHARED lock, held only for its own tier's count); then small
            // SQLite files at once (milliseconds, whatever start-up is doing); the others once start-up is over.
            List<Map.Entry<String, PinnedFingerprint>> order = new ArrayList<>(pins.entrySet());
            order.sort(java.util.Comparator.comparingInt(e -> rank(e.getValue())));
            boolean waited = false;
            try {
                if (gate != null) {
                    gate.await();
                    waited = true;
                }
            } catch (InterruptedException e) {
                stopCounting = true;
            }
            trace("counts: begin");
            for (Map.Entry<String, PinnedFingerprint> e : order) {
                if (!waited && rank(e.getValue()) == LATER) {
                    waited = true;
                    try {
                        go.await(startDelayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ex) {
                        stopCounting = true;
                    }
                }
                trace("counts: " + e.getKey());
                if (stopCounting) {
                    e.getValue().close();
                    notCount(e.getKey(), NOT_COUNTED);
                    continue;
                }
                try {
                    Map<String, Long> c = e.getValue().counts();
                    synchronized (this) {
                        counts.put(e.getKey(), c);
                    }
                } catch (RuntimeException ex) {
                    String why = e.getValue().notCountedBecause(); // a write came first, a table stayed locked
                    String damage = why == null ? e.getValue().damage(session.tier(e.getKey())) : null;
                    notCount(e.getKey(), why != null ? why : damage != null ? "the tier is damaged (" + damage + ")" : stopCounting ? NOT_COUNTED
                            : "counting failed: " + TierInternals.firstLine(String.valueOf(ex.getMessage())));
                    if (damage != null && onDamage != null) {
                        try {
                            onDamage.accept(session.tier(e.getKey()));
                        } catch (RuntimeException hook) {
                            // the console's warning failed: the other tiers are still counted, the event names this one
                        }
                    }
                }
            }
            trace("counts: end");
            writeCounts();
        } catch (RuntimeException | Error ex) {
            // The journal refused the event (disk full), or onDamage threw: the next event written says so to the operator.
            // An Error (out of memory, a driver's linkage) ends the counts alone, without Java's trace on the operator's
            // screen: the tiers not counted are named when the session ends, as for any other stop.
        } finally {
            // Whatever ended the loop (an Error, onDamage throwing), no pin outlives it: a leaked SHARED lock would keep
            // every writer out for the whole session. The tiers not counted are named when the session ends.
            closePins();
            counted.countDown();
        }
    }

    /** Releases every pin not yet released (idempotent, each on its own: one failing to close does not keep the others). */
    private void closePins() {
        for (PinnedFingerprint p : pins.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                // its connection is gone already: nothing held
            }
        }
    }

    /** Test view: whether {@code tier}'s pin has been released (its read lock no longer holds anyone up). */
    boolean pinReleased(String tier) {
        return pins.get(tier).released();
    }

    private static final int WRITERS_WAIT = 0;
    private static final int SMALL = 1;
    private static final int LATER = 2;

    /** When a pin is counted: one that keeps writers out first, then small SQLite files, both at once; the rest later. */
    private int rank(PinnedFingerprint p) {
        return p.blocksWriters() ? WRITERS_WAIT : small(p) ? SMALL : LATER;
    }

    private static final String NOT_COUNTED = "the session ended before the rows were counted";

    private synchronized void notCount(String tier, String why) {
        notCounted.put(tier, why);
    }

    /** Writes the counts event once, with every pinned tier either counted or named as not counted. */
    private synchronized void writeCounts() {
        if (countsWritten || pins.isEmpty()) {
            return;
        }
        countsWritten = true;
        for (String t : pins.keySet()) {
            if (!counts.containsKey(t) && !notCounted.containsKey(t)) {
                notCounted.put(t, NOT_COUNTED);
            }
        }
        for (int i = 0; i < fingerprints.size(); i++) {
            Fingerprint f = fingerprints.get(i);
            Map<String, Long> c = counts.get(f.tier());
            if (c != null && f.counts() == null) {
                fingerprints.set(i, new Fingerprint(f.tier(), f.engine(), f.engineVersion(), f.schemaSha256(), c, f.fileBytes(),
                        f.journalMode(), f.takenAt()));
            }
        }
        journal.counts(counts, notCounted);
    }

    /**
     * Call before an input runs, on the thread that runs it: never waits (a write to a rollback-journal tier whose pin is
     * still held waits in SQLite's busy handler instead, {@link PinnedWrites}); puts the plain busy timeout back once the
     * counts are done.
     */
    public void beforeInput() {
        trace("input: begin");
        PinnedWrites w = writes;
        if (w != null && w.restoreWhenReleased()) {
            writes = null;
        }
    }

    /** Call when an input has run: the counts may begin now that start-up is over. */
    public void afterInput() {
        trace("input: end");
        go();
    }

    /** Lets the counts begin (idempotent). */
    private void go() {
        go.countDown();
    }

    /**
     * Told (on the counting thread) of a tier the background counts found damaged deeper than its schema; a tier found
     * damaged before is already known ({@code TierInternals.damage}).
     */
    public void onDamage(java.util.function.Consumer<Tier> action) {
        onDamage = action;
    }

    /** True while a pinned count may still hold a rollback-journal tier's read lock. */
    public boolean countsBlockWriters() {
        return pinBlocksWriters && pins.values().stream().anyMatch(p -> p.blocksWriters() && !p.released());
    }

    /** Stops the background counts (whatever they did not finish is recorded as not counted) and writes their event. */
    private void stopCounts() {
        if (counter == null) {
            return;
        }
        if (!gated && counted.getCount() > 0 && smallLeft()) {
            go(); // small files: counted in milliseconds, a journal with its counts is worth them
            try {
                counter.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopCounting = true;
        for (int i = 0; i < 50 && counter.isAlive(); i++) { // cancel again: the next tier's count may have begun in between
            pins.values().forEach(PinnedFingerprint::cancel);
            if (i == 0) {
                counter.interrupt(); // a test's gate
            }
            try {
                counter.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writeCounts();
    }

    /** A SQLite tier whose file (and {@code -wal}) add up to at most {@code bytes}: its counts take milliseconds. */
    private static boolean smallFile(Tier t, long bytes) {
        if (t.engine() != dev.sluice.workspace.Engine.SQLITE || t.file() == null) {
            return false;
        }
        try {
            java.nio.file.Path f = t.file();
            java.nio.file.Path wal = f.resolveSibling(f.getFileName() + "-wal");
            long size = java.nio.file.Files.size(f) + (java.nio.file.Files.exists(wal) ? java.nio.file.Files.size(wal) : 0);
            return size <= bytes;
        } catch (java.io.IOException | RuntimeException e) {
            return false; // unreadable size: pinned and counted in the background, as any big tier
        }
    }

    /** A SQLite file of at most {@link #FINISH_ON_CLOSE_BYTES}: counted in milliseconds. */
    private boolean small(PinnedFingerprint p) {
        Long b = p.schema().fileBytes();
        return b != null && p.schema().journalMode() != null && b <= smallBytes;
    }

    /** True when every pin still held is a SQLite file and they add up to at most {@link #FINISH_ON_CLOSE_BYTES}. */
    private boolean smallLeft() {
        long bytes = 0;
        for (PinnedFingerprint p : pins.values()) {
            if (p.released()) {
                continue;
            }
            Long b = p.schema().fileBytes();
            if (b == null || p.schema().journalMode() == null) {
                return false; // a server's tier: its size is not known here
            }
            bytes += b;
        }
        return bytes <= smallBytes;
    }

    private static Long fileBytes(Tier t) {
        try {
            return t.file() == null ? null : java.nio.file.Files.size(t.file());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public Journal journal() {
        return journal;
    }

    /**
     * The workspace as it was when recording began (the header's fingerprint), for whoever needs it without counting
     * again; waits for counts taken later, and a tier they did not count has null counts.
     */
    public List<Fingerprint> fingerprints() {
        try {
            counted.await();
        } catch (InterruptedException e) {
            stopCounts();
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            return List.copyOf(fingerprints);
        }
    }

    /** The exit status the end event will carry. */
    public void status(int s) {
        status = s;
    }

    /** Marks the session as cancelled (by a signal's name): the end event says so. */
    public void cancelled(String why) {
        cancelled = why;
    }

    @Override
    public void close() {
        for (Tier t : session.tiers()) {
            TierInternals.removeListener(t, journal);
        }
        trace("close: begin");
        try {
            stopCounts(); // the end event comes after the counts event: a complete journal says what was and was not counted
        } catch (RuntimeException e) {
            // the journal refused the counts event: end() below says so
        } finally {
            if (writes != null) {
                writes.restore();
            }
        }
        journal.end(status, cancelled);
        trace("close: end event written");
    }
}
