package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.tier.Format;
import dev.sluice.tier.Rows;

/** {@code /help [command]}: every command with its one-line summary. */
public final class HelpCommand implements SlashCommand {
    @Override
    public String name() {
        return "help";
    }

    @Override
    public String summary() {
        return "List the commands, or show one: /help tables";
    }

    @Override
    public String usage() {
        return "/help [command]";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        String want = args.replaceFirst("^/", "");
        int w = ctx.commands().stream().mapToInt(c -> c.usage().length()).max().orElse(10);
        for (SlashCommand c : ctx.commands()) {
            if (want.isEmpty() || c.name().equals(want)) {
                ctx.out().printf("%-" + w + "s  %s%n", c.usage(), c.summary());
            }
        }
        if (want.isEmpty()) {
            ctx.out().println("Anything else is Java, evaluated by JShell with the DSL loaded: tier1.count(\"conversations\")");
            ctx.out().println("A query typed alone shows its first " + Rows.DISPLAY_ROWS + " rows, reading at most "
                    + Format.count(Rows.PREVIEW_ROWS) + "; assign it (var r = tier1.query(…)) to hold it all. Tab completes names.");
        }
    }

    @Override
    public ArgumentCompleter completer() {
        return (args, ctx) -> ctx.commands().stream().map(SlashCommand::name).toList();
    }

}
