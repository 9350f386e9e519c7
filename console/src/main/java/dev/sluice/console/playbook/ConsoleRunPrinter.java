package dev.sluice.console.playbook;

import dev.sluice.playbook.ActionRecord;
import dev.sluice.playbook.Decision;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.RunListener;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepResult;
import dev.sluice.playbook.StepState;
import dev.sluice.playbook.StepStatus;
import java.io.PrintStream;
import java.util.List;

/** Shows a console run's events as they happen, in the words of {@code sluice run}. */
final class ConsoleRunPrinter implements RunListener {
    private final PrintStream out;

    ConsoleRunPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void runStarted(Playbook p, List<StepStatus> steps, RunOptions o) {
        long applied = steps.stream().filter(s -> s.state() == StepState.APPLIED).count();
        out.println("Playbook '" + p.title() + "' (" + p.displayPath() + "): " + steps.size() + " step(s), " + applied + " applied.");
    }

    @Override
    public void preconditions(dev.sluice.playbook.PreconditionReport report) {
        if (!report.entries().isEmpty()) { // a playbook without requires blocks prints as before
            out.println(report);
        }
    }

    @Override
    public void stepSkipped(StepStatus s, String reason) {
        out.println("Step " + s.step().index() + " '" + s.step().name() + "': already " + reason + "; skipped.");
    }

    @Override
    public void stepStarted(Step step, int position, int total) {
        out.println("Running step " + position + "/" + total + " '" + step.name() + "' (every tier in an open transaction)…");
        out.flush();
    }

    @Override
    public void action(Step step, ActionRecord r) {
        if (r.outcome() == ActionRecord.Outcome.DECLINED) {
            out.println("  " + r);
        }
    }

    @Override
    public void stepResult(StepResult r) {
        out.println(r);
    }

    @Override
    public void decision(Step step, Decision d) {
        out.println("  → " + switch (d) {
            case COMMIT -> "committed";
            case ROLLBACK -> "rolled back; the step is still pending (/next runs it again)";
            case SKIP -> "skipped (rolled back, still pending)";
            case QUIT -> "rolled back";
            case INSPECT -> "inspect";
        });
    }

    @Override
    public void note(String message) {
        out.println("  note: " + message);
    }
}
