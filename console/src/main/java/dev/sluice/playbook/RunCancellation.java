package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;

/**
 * A run's stop request and the protocol that keeps it from splitting a commit: {@link #cancel} may come from any thread (a
 * signal handler); the run's thread marks the commit loop ({@link #beginCommit}, {@link #endCommit}) and says when it has
 * seen the cancel and rolls back ({@link #notice}), after which nothing here interrupts it any more.
 */
final class RunCancellation {
    private final Session session;
    /** Why the run was asked to stop (a signal's name), or null; set once, from any thread, by {@link #cancel}. */
    private volatile String reason;
    /** Guards the hand-over between {@link #cancel} and the commit loop, which a cancel must never split. */
    private final Object lock = new Object();
    private boolean committing;
    /** Set (under lock) once the run's thread rolls back because of a cancel. */
    private boolean noticed;
    private volatile Thread runThread;

    RunCancellation(Session session) {
        this.session = session;
    }

    /** See {@link PlaybookSession#cancel}. */
    PlaybookSession.CancelRequest cancel(String why) {
        synchronized (lock) {
            if (reason != null) {
                return PlaybookSession.CancelRequest.ALREADY_STOPPING;
            }
            reason = why == null ? "cancel" : why;
            stopRunningWork();
        }
        // A statement or a sleep that began just after the first stop would run on: stop again until the run thread
        // has noticed and begun to roll back (from then on nothing here may interrupt its cleanup).
        Thread again = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (lock) {
                    if (noticed) {
                        return;
                    }
                    stopRunningWork();
                }
            }
        }, "sluice-cancel");
        again.setDaemon(true);
        again.start();
        return PlaybookSession.CancelRequest.STOPPING;
    }

    /** Cancels the SQL running on every tier and interrupts the run's thread, unless a commit is under way (never split one). */
    private void stopRunningWork() {
        if (committing || noticed) {
            return; // the commit loop checks on its way out; a rollback under way is left alone
        }
        for (Tier t : session.tiers()) {
            if (!TierInternals.isClosed(t)) {
                TierInternals.cancel(t);
            }
        }
        Thread th = runThread;
        if (th != null) {
            th.interrupt();
        }
    }

    /** The calling thread runs the steps (and waits for their decisions): it is the one a cancel interrupts. */
    void runOnCurrentThread() {
        runThread = Thread.currentThread();
    }

    /** True when a cancel was asked for and the caller is the run's thread (a statement elsewhere is not stopped here). */
    boolean requestedOnRunThread() {
        return reason != null && Thread.currentThread() == runThread;
    }

    /** The run's thread has seen the cancel and rolls back now: nothing may interrupt that any more. */
    void notice() {
        synchronized (lock) {
            noticed = true;
        }
        Thread.interrupted(); // the cancel's interrupt did its work: the rollback and its journal writes must not meet it
    }

    /** The reason given to {@link #cancel}, or null while nobody asked the run to stop. */
    String reason() {
        return reason;
    }

    boolean requested() {
        return reason != null;
    }

    /** True while the commit loop runs: nothing may stop the run's thread then. */
    boolean committing() {
        synchronized (lock) {
            return committing;
        }
    }

    /** Before the first COMMIT: refuses when a cancel came first, else holds every later cancel until {@link #endCommit}. */
    void beginCommit() {
        synchronized (lock) {
            if (reason != null) {
                throw cancelledHere(); // nothing committed yet: the caller rolls the step back
            }
            committing = true; // from here a cancel waits for the last COMMIT: a step is never left half-committed by one
        }
    }

    void endCommit() {
        synchronized (lock) {
            committing = false;
        }
    }

    /** Thrown where the run notices a cancel between statements (a write, the start of a commit). */
    SluiceException cancelledHere() {
        return new SluiceException(ErrorCode.CANCELLED, "Cancelled (" + reason + ").");
    }
}
