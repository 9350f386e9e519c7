package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Ctrl-C in a console: during an evaluation it stops the SQL running on every tier and then, if the snippet runs on, its
 * Java code (never the console); at an empty prompt it asks the handler the opener installed. The console marks each
 * evaluation with {@link #begin} and {@link #end} so a delayed stop never hits the input typed after the cancelled one.
 */
final class ConsoleInterrupts {
    private final Session session;
    private final Evaluator evaluator;
    private final ScheduledExecutorService timer;
    private volatile boolean evaluating;
    /** Counts evaluations, so a delayed stop after Ctrl-C never hits the input typed after the cancelled one. */
    private final AtomicLong evaluation = new AtomicLong();
    private volatile boolean cancelRequested;
    /** True while the fast path runs: Ctrl-C then cancels its SQL; JShell.stop would hit the warm-up instead. */
    private volatile boolean directRunning;
    private volatile BooleanSupplier promptInterrupt = () -> false;
    /**
     * A Ctrl-C that came while neither an evaluation nor a read was waiting for it: between two prompts, while the
     * console printed what the last input said. The next read takes it as pressed at its prompt, so a quick second
     * Ctrl-C after "Ctrl-C again…" is never lost.
     */
    private volatile boolean betweenReads;

    ConsoleInterrupts(Session session, Evaluator evaluator, ScheduledExecutorService timer) {
        this.session = session;
        this.evaluator = evaluator;
        this.timer = timer;
    }

    /** An evaluation starts: no cancel asked for it yet. */
    void begin() {
        cancelRequested = false;
        betweenReads = false;
        evaluation.incrementAndGet();
        evaluating = true;
    }

    void end() {
        evaluating = false;
    }

    /** Whether Ctrl-C was pressed during the current (or last) evaluation. */
    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Marks the fast path running ({@link DirectCall}): its SQL is cancelled, JShell is not stopped. */
    void directRunning(boolean running) {
        directRunning = running;
    }

    /** Ctrl-C: stops the SQL running on every tier and then the snippet's Java code; the console stays. */
    void interrupt() {
        if (!evaluating) {
            betweenReads = true;
            return;
        }
        cancelRequested = true;
        long cancelled = evaluation.get();
        for (Tier t : session.tiers()) {
            TierInternals.cancel(t);
        }
        // Give the cancelled statement a moment to unwind cleanly before stopping the snippet thread itself.
        timer.schedule(() -> {
            if (evaluating && !directRunning && evaluation.get() == cancelled) {
                evaluator.stop();
            }
        }, 300, TimeUnit.MILLISECONDS);
    }

    /** Whether a Ctrl-C came between two reads (and forgets it): the read now starting answers it. */
    boolean takeInterruptBetweenReads() {
        boolean was = betweenReads;
        betweenReads = false;
        return was;
    }

    /** See {@link Console#onPromptInterrupt}. */
    void onPromptInterrupt(BooleanSupplier handler) {
        promptInterrupt = handler;
    }

    /** Ctrl-C at an empty prompt; true when the console is to end. */
    boolean promptInterrupted() {
        return promptInterrupt.getAsBoolean();
    }
}
