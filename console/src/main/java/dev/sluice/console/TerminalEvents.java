package dev.sluice.console;

import dev.sluice.data.DataEvents;
import dev.sluice.tier.Format;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.function.Consumer;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How the front ends show what data work reports: a note as one {@code sluice: …} line, progress as a bar with rows of
 * the total, rate and ETA on standard error when a person watches (a terminal) or when the call asked for it
 * ({@code progress: true}). In scripts and pipes a copy or diff is not even counted for it. The console on a terminal
 * shows the same events in its spinner's line instead ({@link StatusLine}).
 */
public final class TerminalEvents implements DataEvents {
    private final Consumer<String> lines;
    private final boolean keepFinished;

    /** {@code lines} prints one line where the front end shows messages (its error stream). */
    public TerminalEvents(Consumer<String> lines) {
        this(lines, true);
    }

    private TerminalEvents(Consumer<String> lines, boolean keepFinished) {
        this.lines = lines;
        this.keepFinished = keepFinished;
    }

    /**
     * For a command whose tasks are phases of one job (a snapshot's copy, count, integrity_check and hash, tier after
     * tier): each bar is cleared when its phase ends, so one line is redrawn and the command's own summary follows.
     */
    public static TerminalEvents phases(Consumer<String> lines) {
        return new TerminalEvents(lines, false);
    }

    /**
     * One phase's bar: redrawn with a carriage return (the library's plain console consumer, so no terminal is probed per
     * bar: under a terminal that does not answer, each probe cost about 0.3 s) and wiped when the phase ends.
     */
    private static final class PhaseLine extends ConsoleProgressBarConsumer {
        private final PrintStream err;
        private final int columns;

        PhaseLine(PrintStream err, int columns) {
            super(err, columns);
            this.err = err;
            this.columns = columns;
        }

        @Override
        public void close() {
            err.print("\r" + " ".repeat(columns) + "\r");
            err.flush();
        }
    }

    private static volatile int width;

    /** The terminal's width less one column (a full line would wrap), asked of JLine once per process. */
    private static int width() {
        if (width == 0) {
            synchronized (TerminalEvents.class) {
                if (width == 0) {
                    int w = 80;
                    try (org.jline.terminal.Terminal t = org.jline.terminal.TerminalBuilder.builder().system(true).dumb(true).build()) {
                        w = t.getWidth() >= 20 ? t.getWidth() : 80;
                    } catch (java.io.IOException | RuntimeException e) {
                        // no terminal to ask: 80 columns
                    }
                    width = w - 1;
                }
            }
        }
        return width;
    }

    @Override
    public void note(String line) {
        lines.accept("sluice: " + line);
    }

    /** A person watches only on a terminal: in scripts and pipes nothing is counted or drawn. */
    @Override
    public boolean listening() {
        return Format.onTerminal();
    }

    @Override
    public Progress started(String task, String unit, long total, long done, boolean forced) {
        if (!forced && !Format.onTerminal()) {
            return Progress.NONE;
        }
        // Bytes (a snapshot's phases) in MB, as Format.bytes counts them; an unknown total draws an indefinite bar.
        boolean bytes = unit.equals("bytes");
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total > 0 ? total : -1).setStyle(ProgressBarStyle.ASCII)
                .setUnit(bytes ? " MB" : unit.isEmpty() ? "" : " " + unit, bytes ? 1L << 20 : 1)
                .setUpdateIntervalMillis(250).startsFrom(done, Duration.ZERO);
        if (!unit.isEmpty()) {
            b.showSpeed(new DecimalFormat("#,##0"));
        }
        if (!keepFinished) {
            b.setConsumer(new PhaseLine(System.err, width()));
        }
        ProgressBar bar = b.build();
        return new Progress() {
            @Override
            public void stepTo(long n) {
                bar.stepTo(n);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
