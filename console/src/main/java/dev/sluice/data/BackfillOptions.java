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
 * @param progress         TRUE/FALSE forces progress on/off; null: the events' listener shows it where a person watches
 * @param restart          forget an unfinished checkpoint and start from the first key
 * @param keepFinished     keep the finished checkpoint (a playbook step: a crash before the step commits must not run
 *                         the batches again); the run drops it once every step that ran is committed
 * @param events           where progress goes (the session's front end; {@link DataEvents#NONE} by default)
 */
public record BackfillOptions(String name, int batchRows, Duration cap, int maxOverruns, Duration pause, double maxRowsPerSecond,
                              Boolean progress, boolean restart, boolean keepFinished, DataEvents events) {
    public BackfillOptions {
        events = events == null ? DataEvents.NONE : events;
    }

    public static BackfillOptions defaults() {
        return new BackfillOptions(null, 1000, Duration.ofSeconds(5), 3, Duration.ZERO, 0, null, false, false, DataEvents.NONE);
    }

    public BackfillOptions name(String n) {
        return new BackfillOptions(n, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished, events);
    }

    public BackfillOptions batchRows(int n) {
        return new BackfillOptions(name, Math.max(1, n), cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished, events);
    }

    public BackfillOptions cap(Duration d) {
        return new BackfillOptions(name, batchRows, d, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished, events);
    }

    public BackfillOptions maxOverruns(int n) {
        return new BackfillOptions(name, batchRows, cap, n, pause, maxRowsPerSecond, progress, restart, keepFinished, events);
    }

    public BackfillOptions pause(Duration d) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, d, maxRowsPerSecond, progress, restart, keepFinished, events);
    }

    public BackfillOptions maxRowsPerSecond(double r) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, r, progress, restart, keepFinished, events);
    }

    public BackfillOptions progress(Boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, on, restart, keepFinished, events);
    }

    public BackfillOptions restart(boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, on, keepFinished, events);
    }

    public BackfillOptions keepFinished(boolean on) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, on, events);
    }

    /** Sends progress to {@code to} (the DSL passes its session's front end). */
    public BackfillOptions events(DataEvents to) {
        return new BackfillOptions(name, batchRows, cap, maxOverruns, pause, maxRowsPerSecond, progress, restart, keepFinished, to);
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
