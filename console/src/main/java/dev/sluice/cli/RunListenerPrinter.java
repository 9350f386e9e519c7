package dev.sluice.cli;

import dev.sluice.playbook.ActionRecord;
import dev.sluice.playbook.Decision;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.RunSummary;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepResult;
import dev.sluice.playbook.StepStatus;
import java.io.PrintWriter;
import java.util.List;

/** Renders a run's events for a person reading a terminal. */
final class RunListenerPrinter implements dev.sluice.playbook.RunListener {
    private final PrintWriter out;
    private boolean summary = true;
    private String modeLabel;

    RunListenerPrinter(PrintWriter out) {
        this.out = out;
    }

    /**
     * This printer for a run decided by a recording (a rehearsal applied): it says so where a run names its mode, and
     * leaves the run's last line to its caller, which says itself how it ended.
     */
    RunListenerPrinter decidedBy(String label) {
        summary = false;
        modeLabel = label;
        return this;
    }

    @Override
    public void runStarted(Playbook p, List<StepStatus> steps, RunOptions o) {
        long applied = steps.stream().filter(s -> s.state() == dev.sluice.playbook.StepState.APPLIED).count();
        out.println("Playbook '" + p.title() + "' (" + p.displayPath() + "): " + steps.size() + " step(s), " + applied + " applied"
                + (modeLabel != null ? "; " + modeLabel : switch (o.mode()) {
                    case YES -> "; --yes: commit when every expectation holds";
                    case DRY_RUN -> "; --dry-run: every step rolled back";
                    case STEP -> "; step mode";
                }));
        out.flush();
    }

    @Override
    public void preconditions(dev.sluice.playbook.PreconditionReport report) {
        if (!report.entries().isEmpty()) { // a playbook without requires blocks prints as before
            out.println(report);
            out.flush();
        }
    }

    @Override
    public void stepSkipped(StepStatus s, String reason) {
        out.println("Step " + s.step().index() + " '" + s.step().name() + "': already " + reason + "; skipped.");
        out.flush();
    }

    @Override
    public void stepStarted(Step step, int position, int total) {
        out.println();
        out.println("Running step " + position + "/" + total + " '" + step.name() + "' (every tier in an open transaction)…");
        out.flush();
    }

    @Override
    public void action(Step step, ActionRecord r) {
        if (r.outcome() == null) {
            out.println("  non-transactional action: " + r.action().description());
        } else if (r.outcome() != ActionRecord.Outcome.PERFORMED) {
            out.println("  " + r);
        }
        out.flush();
    }

    @Override
    public void stepResult(StepResult r) {
        out.println(r);
        out.flush();
    }

    @Override
    public void decision(Step step, Decision d) {
        out.println("  → " + switch (d) {
            case COMMIT -> "committed";
            case ROLLBACK -> "rolled back";
            case SKIP -> "skipped (rolled back, still pending)";
            case QUIT -> "rolled back; stopping";
            case INSPECT -> "inspect";
        });
        out.flush();
    }

    @Override
    public void note(String message) {
        out.println("  note: " + message);
        out.flush();
    }

    @Override
    public void runFinished(RunSummary s) {
        if (s.ending() == RunSummary.Ending.CANCELLED || !summary) {
            return; // a cancelled run ends with one line on stderr, which says what was rolled back and what stays
        }
        out.println();
        out.println(s);
        out.flush();
    }
}
