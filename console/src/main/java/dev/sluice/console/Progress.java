package dev.sluice.console;

import dev.sluice.tier.Format;
import java.io.PrintStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A spinner for evaluations that take longer than a second (terminals only): the running task's progress when the call
 * reports one ({@link StatusLine}: rows of the total, rate, ETA), otherwise the elapsed time.
 */
final class Progress {
    static final Progress NONE = new Progress(null, null);
    private static final String FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private final PrintStream out;
    private final ScheduledFuture<?> task;
    private volatile boolean shown;

    private Progress(PrintStream out, ScheduledFuture<?> task) {
        this.out = out;
        this.task = task;
    }

    static Progress start(ScheduledExecutorService timer, PrintStream out, StatusLine status) {
        long t0 = System.nanoTime();
        Progress[] self = new Progress[1];
        int[] frame = {0};
        ScheduledFuture<?> f = timer.scheduleAtFixedRate(() -> {
            Progress p = self[0];
            if (p == null) {
                return;
            }
            synchronized (p) {
                if (p.task.isCancelled()) {
                    return;
                }
                p.shown = true;
                String task = status == null ? null : status.text();
                out.print("\r" + FRAMES.charAt(frame[0]++ % FRAMES.length()) + " "
                        + (task != null ? task : "running " + Format.nanos(System.nanoTime() - t0)) + " (Ctrl-C cancels)\u001b[K");
                out.flush();
            }
        }, 1000, 100, TimeUnit.MILLISECONDS);
        self[0] = new Progress(out, f);
        return self[0];
    }

    synchronized void stop() {
        if (task == null) {
            return;
        }
        task.cancel(false);
        if (shown) {
            out.print("\r\u001b[K");
            out.flush();
        }
    }
}
