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
        loop:
        while (true) {
            StepResult r = run.next();
            if (r == null) {
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
                        exit = ErrorCode.FAILURE.exitStatus();
                        break loop;
                    }
                }
                case STEP -> {
                    while (true) {
                        Decision d = decider.decide(r);
                        switch (d) {
                            case INSPECT -> {
                                if (inspector == null) {
                                    throw new SluiceException(ErrorCode.UNSUPPORTED, "No inspector is available here.");
                                }
                                inspector.inspect(run.session(), run.current());
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
        if (mode == RunMode.DRY_RUN) {
            run.close();
            if (ending == RunSummary.Ending.DONE) {
                message = "Dry run: every step was rolled back; nothing changed." + (dryFailed ? " Some expectations failed." : "");
                if (dryFailed) {
                    ending = RunSummary.Ending.EXPECTATION_FAILED;
                    exit = ErrorCode.FAILURE.exitStatus();
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
}
