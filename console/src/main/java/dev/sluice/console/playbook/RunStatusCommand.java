package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.StepResult;

/** {@code /status}: where the loaded run stands: the open step, the next one, every step's state, what this run did. */
final class RunStatusCommand implements SlashCommand {
    private final ConsoleRun state;

    RunStatusCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "Where the loaded playbook run stands: open step, next step, what each step became";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.run();
        if (run == null) {
            ctx.out().println("No playbook is loaded. /run PLAYBOOK loads one (Tab after /run lists them).");
            return;
        }
        ctx.out().println(run.status());
        for (StepResult r : run.results()) {
            ctx.out().println("  this session: step '" + r.step().name() + "' " + r.status().label());
        }
    }
}
