package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.playbook.PlaybookSession;

/** {@code /rollback}: roll the open step back; it stays pending and /next runs it again. */
final class RollbackCommand implements SlashCommand {
    private final ConsoleRun state;

    RollbackCommand(ConsoleRun state) {
        this.state = state;
    }

    @Override
    public String name() {
        return "rollback";
    }

    @Override
    public String summary() {
        return "Roll the open step back; it stays pending and /next runs it again";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        PlaybookSession run = state.drive(name());
        try {
            run.rollback(); // the printer shows the decision
        } finally {
            state.syncGate();
        }
        ctx.out().println(ConsoleRun.nextLine(run));
    }
}
