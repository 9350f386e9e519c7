package dev.sluice.cli;

import dev.sluice.console.Console;
import dev.sluice.error.ErrorCode;
import dev.sluice.journal.Recording;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.StepContext;
import dev.sluice.playbook.StepResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What ends a console whose {@code /next} step is open from outside. SIGTERM and SIGHUP (and SIGINT when there is no
 * terminal): the step is rolled back, the run locks released, the journal ended (cancelled), one line said, exit 16. On a
 * terminal Ctrl-C stays the console's (STYLE 9): while a statement runs it cancels the statement; at an empty prompt with a
 * step open it says so, and a second Ctrl-C within a few seconds does the same cancel and ends the console with status 16.
 * With no step open every signal does what it did before this guard (the JVM's default: exit 128 + its number).
 */
final class ConsoleGuard implements AutoCloseable {
    private static final long ROLLBACK_MILLIS = 10_000;
    /** How long after a first Ctrl-C at the prompt (a step open) a second one rolls the step back and quits. */
    static final java.time.Duration SECOND_INTERRUPT = java.time.Duration.ofSeconds(5);

    /**
     * What must still happen when a signal ends the console by halting, which runs no shutdown hook: a sandbox's copies
     * are dropped (the open step is rolled back first, so nothing holds them any more).
     */
    static final List<Runnable> BEFORE_HALT = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Console console;
    private final Recording rec;
    private final PrintWriter err;
    private final List<Runnable> restore = new ArrayList<>();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final java.time.Duration secondInterrupt;
    /** When the last Ctrl-C at the prompt with a step open was pressed (System.nanoTime), or null. */
    private Long armedAt;
    private volatile boolean cancelled;

    private ConsoleGuard(Console console, Recording rec, PrintWriter err, java.time.Duration secondInterrupt) {
        this.console = console;
        this.rec = rec;
        this.err = err;
        this.secondInterrupt = secondInterrupt;
    }

    static ConsoleGuard install(Console console, Recording rec, boolean terminal, PrintWriter err) {
        return install(console, rec, terminal, err, SECOND_INTERRUPT);
    }

    static ConsoleGuard install(Console console, Recording rec, boolean terminal, PrintWriter err, java.time.Duration secondInterrupt) {
        ConsoleGuard g = new ConsoleGuard(console, rec, err, secondInterrupt);
        g.handle("TERM");
        g.handle("HUP");
        if (terminal) {
            console.onPromptInterrupt(g::promptInterrupt);
        } else {
            g.handle("INT");
        }
        return g;
    }

    /** True when a step was cancelled here and the console ended for it: its status is then 16. */
    boolean cancelled() {
        return cancelled;
    }

    /**
     * Ctrl-C at an empty prompt (no statement running). No step open: nothing (the console stays). A step open: a first
     * press says how to roll it back; a second within {@link #secondInterrupt} rolls it back, releases the locks, ends
     * the journal as cancelled, says one line and returns true: the console ends, with status 16.
     */
    private boolean promptInterrupt() {
        PlaybookSession run = console.playbookRun();
        StepContext open = run == null ? null : run.current();
        if (open == null) {
            armedAt = null;
            return false;
        }
        long now = System.nanoTime();
        if (armedAt == null || now - armedAt > secondInterrupt.toNanos()) {
            armedAt = now;
            err.println("Step '" + open.step().name() + "' is open: Ctrl-C again within " + secondInterrupt.toSeconds()
                    + " s rolls it back and quits; /rollback rolls it back and stays; /commit keeps it.");
            err.flush();
            return false;
        }
        if (!ending.compareAndSet(false, true)) {
            return false;
        }
        String line = rollBack(run, open, "SIGINT");
        err.println(line);
        err.flush();
        cancelled = true;
        return true;
    }

    private void handle(String name) {
        try {
            SignalHandler[] prev = new SignalHandler[1];
            prev[0] = Signal.handle(new Signal(name), s -> signal(s, prev[0]));
            if (prev[0] == SignalHandler.SIG_IGN) {
                Signal.handle(new Signal(name), prev[0]); // ignored by whoever started us (a background job): stays ignored
                return;
            }
            restore.add(() -> Signal.handle(new Signal(name), prev[0]));
        } catch (IllegalArgumentException e) {
            // -Xrs, or no such signal here: the default stays
        }
    }

    private void signal(Signal s, SignalHandler prev) {
        PlaybookSession run = console.playbookRun();
        StepContext open = run == null ? null : run.current();
        if (open == null && !ending.get()) {
            if (prev != null && prev != SignalHandler.SIG_DFL) {
                prev.handle(s); // no step open: as before this guard (the JVM's own handler exits 128 + the signal's number)
            } else {
                Runtime.getRuntime().exit(128 + s.getNumber());
            }
            return;
        }
        if (!ending.compareAndSet(false, true)) {
            err.println("Cancelling: still rolling back…");
            err.flush();
            return;
        }
        String line = rollBack(run, open, "SIG" + s.getName());
        if (rec != null) {
            try {
                rec.status(ErrorCode.CANCELLED.exitStatus());
                rec.close();
            } catch (RuntimeException e) {
                // best effort: the line below still says what happened
            }
        }
        err.println(line);
        err.flush();
        for (Runnable r : BEFORE_HALT) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // halting next: what could not be cleaned was named when it was made
            }
        }
        Runtime.getRuntime().halt(ErrorCode.CANCELLED.exitStatus());
    }

    /**
     * Rolls {@code open} back (after a {@code /commit} under way, which a signal never splits) and releases the run locks,
     * marks the journal cancelled by {@code name}; returns the line that says what happened.
     */
    private String rollBack(PlaybookSession run, StepContext open, String name) {
        run.cancel(name); // stops the statement running on the step's tiers
        Thread rollback = new Thread(() -> {
            try {
                while (run.committing()) { // a /commit under way finishes: a signal never splits one
                    Thread.sleep(50);
                }
                run.close(); // rolls the open step back and releases the run locks
            } catch (InterruptedException | RuntimeException e) {
                // halting next: an uncommitted transaction is never committed
            }
        }, "sluice-console-cancel");
        rollback.setDaemon(true);
        rollback.start();
        // Wait for it whatever interrupts us: at the prompt this is the console's own thread, the one that ran /next, so
        // the cancel above has just interrupted it. Returning early said "rolled back" while the step's transactions
        // were still open, and the console then asked whether to leave them.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ROLLBACK_MILLIS);
        boolean interrupted = false;
        while (rollback.isAlive() && System.nanoTime() < deadline) {
            try {
                rollback.join(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted && rollback.isAlive()) {
            Thread.currentThread().interrupt(); // still rolling back: whoever waits on this thread next still sees it
        }
        // Once the step is rolled back nothing interrupts this thread any more (the run noticed its cancel), and the
        // interrupts it had were the cancel's own, now consumed.
        long committed = run.results().stream().filter(r -> r.status() == StepResult.Status.COMMITTED).count();
        boolean committedMeanwhile = run.results().stream().anyMatch(r -> r.step().equals(open.step()) && r.status() == StepResult.Status.COMMITTED);
        String line = RunGuard.cancelledLine(committedMeanwhile ? null : open.step().name(), committed);
        try {
            if (rec != null) {
                rec.journal().error("Cancelled", line);
                rec.cancelled(name);
            }
        } catch (RuntimeException e) {
            // best effort: the line still says what happened
        }
        return line;
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
        restore.clear();
    }
}
