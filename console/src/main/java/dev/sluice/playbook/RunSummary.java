package dev.sluice.playbook;

import java.util.List;

/**
 * The end of a run: every step's result in order, how many were already applied, how it ended and the exit status it
 * maps to (0 done, 11 an expectation failed under --yes or a dry run, 1 the operator rolled a step back, the failing error's own code for a failed step, 16 cancelled).
 */
public record RunSummary(String playbook, RunMode mode, List<StepResult> results, int alreadyApplied, Ending ending, String message,
                         int exitStatus) {
    public enum Ending {
        /** Every selected step handled. */
        DONE,
        /** An expectation failed under --yes (rolled back). */
        EXPECTATION_FAILED,
        /** A step's body threw (rolled back). */
        STEP_FAILED,
        /** The operator quit. */
        QUIT,
        /** Stopped from outside (Ctrl-C, SIGTERM): the open step rolled back, the locks released. */
        CANCELLED
    }

    public RunSummary {
        results = List.copyOf(results);
    }

    public long committed() {
        return results.stream().filter(r -> r.status() == StepResult.Status.COMMITTED).count();
    }

    @Override
    public String toString() {
        long rolled = results.stream().filter(r -> r.status() == StepResult.Status.ROLLED_BACK || r.status() == StepResult.Status.DRY_RUN).count();
        long skipped = results.stream().filter(r -> r.status() == StepResult.Status.SKIPPED).count();
        return playbook + ": " + committed() + " committed, " + rolled + " rolled back, " + skipped + " skipped, " + alreadyApplied
                + " already applied" + (message == null ? "." : ". " + message);
    }
}
