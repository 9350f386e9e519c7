package dev.sluice.playbook;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a whole run over a {@link PlaybookSession}: step mode asks the {@link Decider} after each step (inspect goes to
 * the {@link Inspector} and comes back to the question), {@code --yes} commits when every expectation holds and otherwise
 * rolls back and stops, {@code --dry-run} runs every step and rolls everything back at the end.
 */
public final class StepRunner {
    private final PlaybookSession run;
    private final Decider decider;
    private final Inspector inspector;
    private final RunListener listener;

    public StepRunner(PlaybookSession run, Decider decider, Inspector inspector, RunListener listener) {
        this.run = run;
        this.decider = decider;
        this.inspector = inspector;
        this.listener = listener == null ? new RunListener() { } : listener;
    }

    public RunSummary run() {
        RunMode mode = run.options().mode();
        List<StepResult> done = new ArrayList<>();
        RunSummary.Ending ending = RunSummary.Ending.DONE;
        String message = null;
        int exit = 0;
        boolean dryFailed = false;
        String cancelledStep = null;
        try {
            loop:
            while (true) {
                if (run.cancelRequested()) {
                    break;
                }
                StepResult r = run.next();
                if (r == null) {
                    break;
                }
                if (run.cancelRequested()) {
                    cancelledStep = r.step().name(); // failed of the cancel, or ran to its end as it came: either way rolled back below
                    break;
                }
                if (r.status() == StepResult.Status.FAILED) {
                    done.add(r);
                    ending = RunSummary.Ending.STEP_FAILED;
                    message = (r.errorCode() == ErrorCode.PRECONDITION ? "Step '" + r.step().name() + "' did not start: its preconditions "
                            + "failed (above); nothing of it ran and no history row was written."
                            : "Step '" + r.step().name() + "' failed and was rolled back on every tier; no history row was written.")
                            + (mode == RunMode.DRY_RUN ? " The dry run stops here; every earlier step is rolled back too." : "");
                    exit = (r.errorCode() == null ? ErrorCode.PLAYBOOK : r.errorCode()).exitStatus();
                    break;
                }
                switch (mode) {
                    case DRY_RUN -> {
                        done.add(r);
                        dryFailed |= !r.expectationsHold();
                    }
                    case YES -> {
                        if (r.expectationsHold()) {
                            done.add(run.commit());
                        } else {
                            done.add(run.rollback());
                            ending = RunSummary.Ending.EXPECTATION_FAILED;
                            message = "Step '" + r.step().name() + "' rolled back: " + r.failedExpectations().size()
                                    + " expectation(s) failed (" + String.join(", ", r.failedExpectations().stream().map(e -> "'" + e.name() + "'").toList())
                                    + "). Nothing of it was committed; fix the data or the playbook and run again.";
                            exit = ErrorCode.EXPECTATION.exitStatus();
                            break loop;
                        }
                    }
                    case STEP -> {
                        while (true) {
                            Decision d = decider.decide(r);
                            if (run.cancelRequested()) {
                                break loop; // whatever the answer, a cancel that came first wins (a commit already under way finishes)
                            }
                            switch (d) {
                                case INSPECT -> {
                                    if (inspector == null) {
                                        throw new SluiceException(ErrorCode.UNSUPPORTED, "No inspector is available here.");
                                    }
                                    inspector.inspect(run.session(), run.current());
                                    if (run.cancelRequested()) {
                                        break loop;
                                    }
                                    continue;
                                }
                                case COMMIT -> done.add(run.commit());
                                case SKIP -> done.add(run.skip());
                                case ROLLBACK -> {
                                    done.add(run.rollback());
                                    ending = RunSummary.Ending.QUIT;
                                    message = "Step '" + r.step().name() + "' rolled back by the operator; it and the steps after it are still pending.";
                                    exit = ErrorCode.FAILURE.exitStatus();
                                    break loop;
                                }
                                case QUIT -> {
                                    done.add(run.quit());
                                    ending = RunSummary.Ending.QUIT;
                                    message = "Stopped by the operator at step '" + r.step().name() + "' (rolled back); it and the steps after it are still pending.";
                                    break loop;
                                }
                            }
                            break;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!run.cancelRequested()) {
                throw e;
            }
            // The cancel surfaced as an exception (an interrupted read, cancelled SQL): handled as a cancel below.
        }
        if (run.cancelRequested()) {
            return cancelled(mode, done, cancelledStep);
        }
        if (mode == RunMode.DRY_RUN) {
            run.close();
            if (ending == RunSummary.Ending.DONE) {
                message = "Dry run: every step was rolled back; nothing changed." + (dryFailed ? " Some expectations failed." : "");
                if (dryFailed) {
                    ending = RunSummary.Ending.EXPECTATION_FAILED;
                    exit = ErrorCode.EXPECTATION.exitStatus();
                }
            }
        }
        if (done.isEmpty() && ending == RunSummary.Ending.DONE && mode != RunMode.DRY_RUN) {
            message = "Every selected step is already applied; nothing to do.";
        }
        RunSummary s = new RunSummary(run.playbook().displayPath(), mode, done, run.alreadyApplied(), ending, message, exit);
        listener.runFinished(s);
        return s;
    }

    /**
     * Ends a cancelled run: rolls back the open step (every step of a dry run) and releases the locks, then says in one
     * line what was rolled back and what stays committed.
     */
    private RunSummary cancelled(RunMode mode, List<StepResult> done, String failedStep) {
        Thread.interrupted(); // the interrupt has done its work; the rollback and the journal must not meet it
        StepContext open = run.current();
        String step = open != null ? open.step().name() : failedStep;
        List<StepResult> all = run.results();
        StepResult last = all.isEmpty() ? null : all.get(all.size() - 1);
        if (step != null && last != null && last.step().name().equals(step) && !done.contains(last)) {
            done.add(last.withStatus(StepResult.Status.ROLLED_BACK));
        }
        run.close(); // rolls back what is open and releases the locks, even if a rollback fails
        long committed = done.stream().filter(r -> r.status() == StepResult.Status.COMMITTED).count();
        String what = step != null ? ": step '" + step + "' rolled back"
                : mode == RunMode.DRY_RUN ? ": the dry run rolled back" : " between steps";
        String steps = committed + (committed == 1 ? " step" : " steps");
        String kept = committed == 0 ? "nothing committed"
                : step != null ? steps + " committed before it " + (committed == 1 ? "stays" : "stay") + " committed" : steps + " committed";
        String message = "Cancelled" + what + "; " + kept;
        RunSummary s = new RunSummary(run.playbook().displayPath(), mode, done, run.alreadyApplied(), RunSummary.Ending.CANCELLED, message,
                ErrorCode.CANCELLED.exitStatus());
        listener.runFinished(s);
        return s;
    }
}
