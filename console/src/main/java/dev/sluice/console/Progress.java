package dev.sluice.console;

import dev.sluice.tier.Format;
import java.io.PrintStream;
import org.jline.terminal.Terminal;
import org.jline.utils.Curses;
import org.jline.utils.InfoCmp.Capability;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A spinner for evaluations that take longer than a second (terminals only): the running task's progress when the call
 * reports one ({@link StatusLine}: rows of the total, rate, ETA), otherwise the elapsed time. The line is redrawn with the
 * terminal's own capabilities as JLine reads them from terminfo (carriage return, clear to end of line); a terminal
 * without clear-to-end-of-line gets the line padded with spaces instead.
 */
final class Progress {
    static final Progress NONE = new Progress(null, null, null);
    private static final String FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

    private final PrintStream out;
    private final ScheduledFuture<?> task;
    private final Line line;
    private volatile boolean shown;
    /** The longest line drawn so far: what a terminal without clear-to-end-of-line needs overwritten with spaces. */
    private int longest;

    private Progress(PrintStream out, ScheduledFuture<?> task, Line line) {
        this.out = out;
        this.task = task;
        this.line = line;
    }

    /** How this terminal goes back to the start of the line and clears what a longer line left there. */
    record Line(String start, String clear) {
        static Line of(Terminal terminal) {
            return new Line(capability(terminal, Capability.carriage_return, "\r"), capability(terminal, Capability.clr_eol, null));
        }

        private static String capability(Terminal terminal, Capability c, String otherwise) {
            String cap = terminal.getStringCapability(c);
            return cap == null ? otherwise : Curses.tputs(cap);
        }

        /** {@code text} drawn over the line, whatever was on it before ({@code width}: what to pad without clear-to-end). */
        String draw(String text, int width) {
            if (clear != null) {
                return start + text + clear;
            }
            return start + text + " ".repeat(Math.max(0, width - text.length()));
        }
    }

    static Progress start(ScheduledExecutorService timer, Terminal terminal, PrintStream out, StatusLine status) {
        Line line = Line.of(terminal);
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
                String text = FRAMES.charAt(frame[0]++ % FRAMES.length()) + " "
                        + (task != null ? task : "running " + Format.nanos(System.nanoTime() - t0)) + " (Ctrl-C cancels)";
                out.print(line.draw(text, p.longest));
                p.longest = Math.max(p.longest, text.length());
                out.flush();
            }
        }, 1000, 100, TimeUnit.MILLISECONDS);
        self[0] = new Progress(out, f, line);
        return self[0];
    }

    synchronized void stop() {
        if (task == null) {
            return;
        }
        task.cancel(false);
        if (shown) {
            out.print(line.draw("", longest) + line.start());
            out.flush();
        }
    }
}
