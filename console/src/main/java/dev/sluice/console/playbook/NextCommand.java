package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.StepResult;

/**
 * {@code /next}: runs the next pending step with every tier in an open transaction and shows what it did (rows before →
 * after, checksums, expectations, time), leaving the transactions open: snippets typed now see the uncommitted rows.
 */
final class NextCommand implements SlashCommand {
    private final ConsoleRun state;

    NextCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "next";
    }

    @Override
    public String summary() {
        return "Run the next step, leaving its transactions open to look at before /commit, /rollback or /skip";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.drive(name());
        StepResult r;
        try {
            r = run.next(); // the printer shows the step starting and its result
        } finally {
            state.syncGate();
        }
        if (r == null) {
            ctx.out().println(ConsoleRun.nextLine(run));
            return;
        }
        if (r.status() == StepResult.Status.FAILED) {
            throw new SluiceException(r.errorCode() == null ? ErrorCode.PLAYBOOK : r.errorCode(), "Step '" + r.step().name()
                    + "' failed and was rolled back on every tier; no history row was written. Fix the data and /next again, "
                    + "or edit the playbook and /run it again.");
        }
        ctx.out().println("Its transactions are open: snippets see the uncommitted rows. Decide with /commit, /rollback or /skip.");
    }
}
