package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.journal.Recording;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.StepContext;
import dev.sluice.playbook.StepResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Terminal;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What ends a run from outside, handled so that the run still ends as a run ends. Ctrl-C (SIGINT) and SIGTERM ask the
 * {@link PlaybookSession} to stop: its thread rolls the open step back, releases the locks and the journal gets its end
 * event (exit 16). A shutdown hook is the last line of defence for anything else that ends the JVM while the run is on
 * (a step calling {@code System.exit}, SIGHUP): it rolls back, releases, ends the journal and halts with a non-zero
 * status, never 0. {@code Runtime.halt} runs no hook: the playbook loader refuses that call instead.
 *
 * <p>sun.misc.Signal (module jdk.unsupported, readable from the class path) is what the JDK offers for this; JLine uses
 * it too. On a terminal Ctrl-C goes through the JLine terminal, which owns SIGINT's registration while it is open.
 */
final class RunGuard implements AutoCloseable {
    /** How long the hook waits for the rollback before halting anyway (an uncommitted transaction never commits). */
    private static final long HOOK_ROLLBACK_MILLIS = 10_000;
    /** How long a cancelled run's thread may stay stuck outside the driver before the watchdog ends the run itself. */
    private static final long STUCK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private final PlaybookSession run;
    private final Recording rec;
    private final PrintWriter err;
    private final Thread runThread = Thread.currentThread();
    private final Thread hook = new Thread(this::onExit, "sluice-run-exit");
    private final List<Runnable> restore = new ArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile String stepAtSignal;

    private RunGuard(PlaybookSession run, Recording rec, PrintWriter err) {
        this.run = run;
        this.rec = rec;
        this.err = err;
    }

    /** Guards {@code run} from here until {@link #close}; {@code terminal} is the run's JLine terminal, or null. */
    static RunGuard install(PlaybookSession run, Recording rec, Terminal terminal, PrintWriter err) {
        RunGuard g = new RunGuard(run, rec, err);
        Runtime.getRuntime().addShutdownHook(g.hook);
        g.handle("TERM");
        if (terminal != null) {
            Terminal.SignalHandler prev = terminal.handle(Terminal.Signal.INT, s -> g.signal("SIGINT"));
            g.restore.add(() -> terminal.handle(Terminal.Signal.INT, prev));
        } else {
            g.handle("INT");
        }
        return g;
    }

    private void handle(String name) {
        try {
            SignalHandler prev = Signal.handle(new Signal(name), s -> signal("SIG" + name));
            if (prev == SignalHandler.SIG_IGN) {
                Signal.handle(new Signal(name), prev); // ignored by whoever started us (a background job): stays ignored
                return;
            }
            restore.add(() -> Signal.handle(new Signal(name), prev));
        } catch (IllegalArgumentException e) {
            // The JVM keeps this signal (-Xrs) or the OS has none by this name: the default stays.
        }
    }

    private void signal(String name) {
        StepContext open = run.current();
        if (run.cancel(name) == PlaybookSession.CancelRequest.ALREADY_STOPPING) {
            err.println("Cancelling: still rolling back… (" + name + " again changes nothing; the run ends when the rollback is done)");
            err.flush();
            return;
        }
        stepAtSignal = open == null ? null : open.step().name();
        Thread watchdog = new Thread(this::watch, "sluice-cancel-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * The run's thread normally ends a cancelled run within moments. Some waits do not end on an interrupt (a console
     * opened to inspect, reading its next line; step code that ignores interrupts and never writes): when the thread is
     * still not done after a while, and is neither committing nor inside the database driver (where the cancelled
     * statement is unwinding), this thread ends the run in its place, as the shutdown hook would, with status 16.
     */
    private void watch() {
        long quietSince = System.nanoTime();
        while (!ended.get()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            if (run.committing() || inDriver(runThread)) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > STUCK_NANOS) {
                end(false, stepAtSignal);
                return;
            }
        }
    }

    /** The one line a cancelled run ends with; also marks the journal. True when this call ended the run (not the hook). */
    boolean cancelled(String line) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        if (rec != null) {
            rec.cancelled(run.cancelReason());
        }
        err.println(line);
        err.flush();
        return true;
    }

    /** The run is over: signals get their previous handlers, and exiting the JVM is nobody's business here any more. */
    @Override
    public void close() {
        ended.set(true);
        restore.forEach(Runnable::run);
        restore.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook sees ended and does nothing
        }
    }

    /** The JVM is ending while the run is on: roll back, release, end the journal, one line, and a status that is never 0. */
    private void onExit() {
        boolean stepExited = inExit(runThread);
        StepContext open = run.current();
        end(stepExited, open == null ? null : open.step().name());
    }

    /** Ends the run from this thread (the run's own is stuck or exiting): rollback, locks, journal, one line, halt. */
    private void end(boolean stepExited, String step) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        String reason = run.cancelReason() != null ? run.cancelReason() : stepExited ? "System.exit" : "JVM shutdown";
        run.cancel(reason); // stops SQL still running on the run's thread, if any
        Thread rollback = new Thread(() -> {
            try {
                run.close(); // rolls back the open step (every step of a dry run), releases the locks
            } catch (RuntimeException e) {
                // Halting next: an uncommitted transaction is never committed, and SQLite rolls it back on the next open.
            }
        }, "sluice-exit-rollback");
        rollback.setDaemon(true);
        rollback.start();
        try {
            rollback.join(HOOK_ROLLBACK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long committed = run.results().stream().filter(r -> r.status() == StepResult.Status.COMMITTED).count();
        ErrorCode code = stepExited ? ErrorCode.PLAYBOOK : ErrorCode.CANCELLED;
        String line = stepExited
                ? (step == null ? "The run" : "Step '" + step + "'") + " tried to exit the JVM; rolled back"
                + (committed == 0 ? "; nothing committed" : "; " + committed + (committed == 1 ? " earlier step stays" : " earlier steps stay")
                + " committed") + ". A step stops by throwing an exception or with a failing expect, never by exiting."
                : cancelledLine(step, committed);
        try {
            if (rec != null) {
                rec.journal().error(stepExited ? "Playbook" : "Cancelled", line);
                rec.status(code.exitStatus());
                rec.cancelled(reason);
                rec.close();
            }
        } catch (RuntimeException e) {
            // the journal is best effort here; the line below still says what happened
        }
        err.println(line);
        err.flush();
        for (Runnable r : ConsoleGuard.BEFORE_HALT) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // halting next: what could not be cleaned was named when it was made
            }
        }
        Runtime.getRuntime().halt(code.exitStatus());
    }

    /** The line a cancel ends with: the step rolled back (or none open) and how many steps of this run stay committed. */
    static String cancelledLine(String step, long committed) {
        return "Cancelled" + (step == null ? " between steps" : ": step '" + step + "' rolled back") + "; " + (committed == 0
                ? "nothing committed" : committed + (committed == 1 ? " step" : " steps") + " committed" + (step == null ? ""
                : " before it " + (committed == 1 ? "stays" : "stay") + " committed"));
    }

    /** True when {@code t} is inside Runtime.exit (System.exit): it asked the JVM to end, and waits for the hooks. */
    private static boolean inExit(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("java.lang.Shutdown") || e.getClassName().equals("java.lang.Runtime") && e.getMethodName().equals("exit")) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code t} is inside the database driver (a cancelled statement unwinding, a rollback). */
    private static boolean inDriver(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("org.sqlite.") || e.getClassName().startsWith("org.postgresql.")) {
                return true;
            }
        }
        return false;
    }
}
