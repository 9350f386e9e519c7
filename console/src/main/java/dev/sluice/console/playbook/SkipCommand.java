package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;

/** {@code /skip}: roll the open step back and move past it (it stays pending for a later run). */
final class SkipCommand implements SlashCommand {
    private final ConsoleRun state;

    SkipCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "skip";
    }

    @Override
    public String summary() {
        return "Roll the open step back and move past it (it stays pending for a later run)";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.drive(name());
        try {
            run.skip(); // the printer shows the decision
        } finally {
            state.syncGate();
        }
        ctx.out().println(ConsoleRun.nextLine(run));
    }
}
