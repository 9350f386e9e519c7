package dev.sluice.data;

import java.util.function.LongConsumer;

/**
 * Progress for a row loop, throttled so that the loop pays one comparison per row: the listener hears the count when
 * another tenth of the total is done or, checked every {@value #CHECK_ROWS} rows, when {@value #EVERY_MILLIS} ms have
 * passed; then once more at the end ({@link #finish()}). Nobody listening: no count query, no events.
 */
final class Ticker implements AutoCloseable {
    static final int CHECK_ROWS = 1024;
    static final long EVERY_MILLIS = 200;

    private final DataEvents.Progress progress;
    private final long total;
    private long done;
    private long nextCheck;
    private long nextTenth;
    private long lastNanos;

    private Ticker(DataEvents.Progress progress, long total) {
        this.progress = progress;
        this.total = total;
        this.lastNanos = System.nanoTime();
        this.nextTenth = total > 0 ? Math.max(1, total / 10) : Long.MAX_VALUE;
        this.nextCheck = progress == DataEvents.Progress.NONE ? Long.MAX_VALUE : Math.min(CHECK_ROWS, nextTenth);
    }

    /** Starts a task of {@code total} rows (counted by the caller only when {@code events.listening()}). */
    static Ticker start(DataEvents events, String task, long total) {
        if (events == null || !events.listening()) {
            return new Ticker(DataEvents.Progress.NONE, 0);
        }
        return new Ticker(events.started(task, "rows", total, 0, false), total);
    }

    /** One more row done. */
    void row() {
        if (++done >= nextCheck) {
            check();
        }
    }

    /** {@code n} rows done in all (work that advances in chunks, as a diff's segments). */
    void at(long n) {
        done = n;
        if (done >= nextCheck) {
            check();
        }
    }

    /**
     * A thread-safe way in for readers that report rows in chunks (a checksum's reader threads), capped at the total;
     * null when nobody listens, so that the readers skip reporting.
     */
    LongConsumer adding() {
        if (progress == DataEvents.Progress.NONE) {
            return null;
        }
        return more -> {
            synchronized (this) {
                at(total > 0 ? Math.min(total, done + more) : done + more);
            }
        };
    }

    private void check() {
        long now = System.nanoTime();
        if (done >= nextTenth || now - lastNanos >= EVERY_MILLIS * 1_000_000) {
            progress.stepTo(done);
            lastNanos = now;
            while (nextTenth <= done) {
                nextTenth += Math.max(1, total / 10);
            }
        }
        nextCheck = Math.min(done + CHECK_ROWS, nextTenth);
    }

    /** The work is done: the listener hears the final count ({@code rows}, the total on success). */
    synchronized void finish(long rows) {
        done = rows;
        if (progress != DataEvents.Progress.NONE) {
            progress.stepTo(rows);
        }
    }

    @Override
    public void close() {
        progress.close();
    }
}
