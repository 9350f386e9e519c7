package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import java.util.List;

/** {@code /history}: what was typed in this session, numbered. */
final class HistoryCommand implements SlashCommand {
    @Override
    public String name() {
        return "history";
    }

    @Override
    public String summary() {
        return "What was typed in this session (older sessions: arrow up, Ctrl-R)";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        List<String> h = ctx.history();
        for (int i = 0; i < h.size() - 1; i++) { // the last entry is this /history
            String[] lines = h.get(i).split("\n");
            ctx.out().printf("%4d  %s%n", i + 1, lines[0]);
            for (int j = 1; j < lines.length; j++) {
                ctx.out().println("      " + lines[j]);
            }
        }
    }
}
