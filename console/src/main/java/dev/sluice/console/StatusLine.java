package dev.sluice.console;

import dev.sluice.data.DataEvents;
import dev.sluice.tier.Format;

/**
 * The console's view of the running call's progress, as gh-ost's status line: {@code copy a.t → b: 412,000/1,000,000
 * rows (41%), 180,000 rows/s, ETA 3 s}. Installed on the session while a call runs on a terminal; the spinner reads
 * {@link #text()} instead of drawing a bar of its own, so one line is redrawn, not two. Notes go to the front end's
 * usual listener.
 */
final class StatusLine implements DataEvents {
    private final DataEvents notes;
    private volatile Task task;

    /** One running task: fields written by the engine's thread, read by the spinner's. */
    private static final class Task {
        final String name;
        final String unit;
        final long total;
        final long startDone;
        final long startNanos = System.nanoTime();
        volatile long done;

        Task(String name, String unit, long total, long done) {
            this.name = name;
            this.unit = unit;
            this.total = total;
            this.startDone = done;
            this.done = done;
        }
    }

    StatusLine(DataEvents notes) {
        this.notes = notes == null ? DataEvents.NONE : notes;
    }

    @Override
    public void note(String line) {
        notes.note(line);
    }

    @Override
    public boolean listening() {
        return true;
    }

    @Override
    public Progress started(String name, String unit, long total, long done, boolean forced) {
        Task t = new Task(name, unit, total, done);
        task = t;
        return new Progress() {
            @Override
            public void stepTo(long n) {
                t.done = n;
            }

            @Override
            public void close() {
                if (task == t) {
                    task = null;
                }
            }
        };
    }

    /** The running task's line, or null when none runs (the spinner then shows the elapsed time). */
    String text() {
        Task t = task;
        return t == null ? null : line(t.name, t.unit, t.done, t.total, t.done - t.startDone, System.nanoTime() - t.startNanos);
    }

    /**
     * {@code done} of {@code total} (0: unknown), the rate over this run's {@code moved} units, and the time left at that
     * rate. Bytes (a snapshot's copy and hash) show as MB; a phase of unknown size (unit "", an integrity_check) shows its
     * elapsed time only.
     */
    static String line(String name, String unit, long done, long total, long moved, long nanos) {
        if (unit.isEmpty() && total <= 0) {
            return name + " (" + Format.nanos(nanos) + ")";
        }
        boolean bytes = unit.equals("bytes");
        String shown = bytes ? "MB" : unit;
        StringBuilder sb = new StringBuilder(name).append(": ").append(amount(done, bytes));
        if (total > 0) {
            sb.append('/').append(amount(total, bytes)).append(' ').append(shown).append(" (").append(Math.min(100, done * 100 / total)).append("%)");
        } else {
            sb.append(' ').append(shown);
        }
        if (moved > 0 && nanos > 0) {
            double perSecond = moved * 1e9 / nanos;
            sb.append(", ").append(amount(Math.round(perSecond), bytes)).append(' ').append(shown).append("/s");
            if (total > done) {
                sb.append(", ETA ").append(Format.nanos((long) ((total - done) / perSecond * 1e9)));
            }
        }
        return sb.toString();
    }

    private static final long MB = 1L << 20;

    /** A count with separators; bytes in whole MB (MiB, as {@link Format#bytes} says MB), with one decimal under 10 MB. */
    private static String amount(long n, boolean bytes) {
        if (!bytes) {
            return Format.count(n);
        }
        return n < 10 * MB ? String.format(java.util.Locale.ROOT, "%.1f", n / (double) MB) : Format.count(n / MB);
    }
}
