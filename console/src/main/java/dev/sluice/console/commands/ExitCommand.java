package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;

/** {@code /exit}: leaves the console (asking first while a transaction is open), like Ctrl-D. */
final class ExitCommand implements SlashCommand {
    @Override
    public String name() {
        return "exit";
    }

    @Override
    public String summary() {
        return "Leave the console (Ctrl-D does the same)";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        ctx.requestExit();
    }
}
