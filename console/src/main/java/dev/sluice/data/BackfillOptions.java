package dev.sluice.data;

import java.time.Duration;
import java.util.Map;

/**
 * How a backfill runs. {@link #defaults()}: 1,000-row batches, a 5 s cap per batch (seed 000), stop after 3 overruns in
 * a row, no throttle, progress bar when a terminal is attached.
 *
 * @param name             checkpoint name in {@code sluice_progress} (null: derived from the table and the SQL)
 * @param batchRows        rows per batch (keys per batch)
 * @param cap              longest a batch may take; over it the batch is rolled back and retried at half size
 * @param maxOverruns      overruns in a row before the backfill stops
 * @param pause            sleep between batches, so live traffic gets the lock
 * @param maxRowsPerSecond throttle (0: none)
 * @param progress         TRUE/FALSE forces the progress bar on/off; null shows it when a console is attached
 * @param restart          forget an unfinished checkpoint and start from the first key
 * @param keepFinished     keep the finished checkpoint (a playbook step: a crash before the step commits must not run
 *                         the batches again); the run drops it once every step that ran is committed
 */
public record BackfillOptions(String name, int batchRows, Duration cap, int maxOverruns, Duration pause, double maxRowsPerSecond,
                              Boolean progress, boolean restart, boolean keepFinished) {
    public static BackfillOptions defaults() {
        return new BackfillOptions(null, 1000, Duration.ofSeconds(5), 3, Duration.ZERO, 0, null, false, false);
    }

    public BackfillOptions name(String n) {
        return new BackfillOptions(n, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished);
    }

    public BackfillOptions batchRows(int n) {
        return new BackfillOptions(name, Math.max(1, n), cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished);
    }

    public BackfillOptions cap(Duration d) {
        return new BackfillOptions(name, batchRows, d, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished);
    }

    public BackfillOptions maxOverruns(int n) {
        return new BackfillOptions(name, batchRows, cap, n, pause, maxRowsPerSecond, progress, restart, keepFinished);
    }

    public BackfillOptions pause(Duration d) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, d, maxRowsPerSecond, progress, restart, keepFinished);
    }

    public BackfillOptions maxRowsPerSecond(double r) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, r, progress, restart, keepFinished);
    }

    public BackfillOptions progress(Boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, on, restart, keepFinished);
    }

    public BackfillOptions restart(boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, on, keepFinished);
    }

    public BackfillOptions keepFinished(boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, on);
    }

    /** Groovy named arguments: name, batchRows, capMillis/cap (Duration), maxOverruns, pauseMillis, maxRowsPerSecond, progress, restart. */
    public static BackfillOptions of(Map<String, ?> a) {
        BackfillOptions o = defaults();
        if (a.get("name") != null) {
            o = o.name(a.get("name").toString());
        }
        if (a.get("batchRows") != null) {
            o = o.batchRows(((Number) a.get("batchRows")).intValue());
        }
        if (a.get("cap") instanceof Duration d) {
            o = o.cap(d);
        }
        if (a.get("capMillis") != null) {
            o = o.cap(Duration.ofMillis(((Number) a.get("capMillis")).longValue()));
        }
        if (a.get("maxOverruns") != null) {
            o = o.maxOverruns(((Number) a.get("maxOverruns")).intValue());
        }
        if (a.get("pauseMillis") != null) {
            o = o.pause(Duration.ofMillis(((Number) a.get("pauseMillis")).longValue()));
        }
        if (a.get("maxRowsPerSecond") != null) {
            o = o.maxRowsPerSecond(((Number) a.get("maxRowsPerSecond")).doubleValue());
        }
        if (a.get("progress") != null) {
            o = o.progress(Boolean.valueOf(a.get("progress").toString()));
        }
        if (a.get("restart") != null) {
            o = o.restart(Boolean.parseBoolean(a.get("restart").toString()));
        }
        return o;
    }
}
