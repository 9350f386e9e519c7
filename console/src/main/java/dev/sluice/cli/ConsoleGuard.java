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
 * SIGTERM (and SIGINT when there is no terminal) on a console whose {@code /next} step is open: the step is rolled back,
 * the run locks released, the journal ended (cancelled), one line said, exit 16. With no step open the signal does what
 * it did before (the JVM's default: exit 143 or 130). On a terminal Ctrl-C stays the console's: it cancels the running
 * statement or the input line (JLine reads it as a key), never the session.
 */
final class ConsoleGuard implements AutoCloseable {
    private static final long ROLLBACK_MILLIS = 10_000;

    private final Console console;
    private final Recording rec;
    private final PrintWriter err;
    private final List<Runnable> restore = new ArrayList<>();
    private final AtomicBoolean ending = new AtomicBoolean();

    private ConsoleGuard(Console console, Recording rec, PrintWriter err) {
        this.console = console;
        this.rec = rec;
        this.err = err;
    }

    static ConsoleGuard install(Console console, Recording rec, boolean terminal, PrintWriter err) {
        ConsoleGuard g = new ConsoleGuard(console, rec, err);
        g.handle("TERM");
        if (!terminal) {
            g.handle("INT");
        }
        return g;
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
        String name = "SIG" + s.getName();
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
        try {
            rollback.join(ROLLBACK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long committed = run.results().stream().filter(r -> r.status() == StepResult.Status.COMMITTED).count();
        boolean committedMeanwhile = run.results().stream().anyMatch(r -> r.step().equals(open.step()) && r.status() == StepResult.Status.COMMITTED);
        String line = RunGuard.cancelledLine(committedMeanwhile ? null : open.step().name(), committed);
        try {
            if (rec != null) {
                rec.journal().error("Cancelled", line);
                rec.status(ErrorCode.CANCELLED.exitStatus());
                rec.cancelled(name);
                rec.close();
            }
        } catch (RuntimeException e) {
            // best effort: the line below still says what happened
        }
        err.println(line);
        err.flush();
        Runtime.getRuntime().halt(ErrorCode.CANCELLED.exitStatus());
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
        restore.clear();
    }
}
