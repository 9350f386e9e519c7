package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;

/** {@code /commit}: commit the open step: a history row on each tier it wrote, then the commits. */
final class CommitCommand implements SlashCommand {
    private final ConsoleRun state;

    CommitCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "commit";
    }

    @Override
    public String summary() {
        return "Commit the open step: a history row on each tier it wrote, then the commits";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.drive(name());
        try {
            run.commit(); // the printer shows the decision
        } finally {
            state.syncGate();
        }
        ctx.out().println(ConsoleRun.nextLine(run));
    }
}
