package dev.sluice.console;

import dev.sluice.data.DataEvents;
import dev.sluice.tier.Format;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.function.Consumer;
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

    /** {@code lines} prints one line where the front end shows messages (its error stream). */
    public TerminalEvents(Consumer<String> lines) {
        this.lines = lines;
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
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" " + unit, 1).showSpeed(new DecimalFormat("#,##0")).setUpdateIntervalMillis(250).startsFrom(done, Duration.ZERO).build();
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
