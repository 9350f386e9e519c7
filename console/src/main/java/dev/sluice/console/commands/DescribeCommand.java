package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;

/**
 * {@code /describe tier.table}, as psql's {@code \d}: columns with type, nullability and default, then the primary key,
 * indexes, foreign keys, check constraints and triggers ({@code Tier.describe}).
 */
final class DescribeCommand implements SlashCommand {
    @Override
    public String name() {
        return "describe";
    }

    @Override
    public String summary() {
        return "A table as psql's \\d shows it: columns, keys, indexes, checks, triggers: /describe tier1.messages";
    }

    @Override
    public String usage() {
        return "/describe tier.table";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        TableArgument t = TableArgument.parse(name(), args, ctx);
        ctx.out().println(t.tier().describe(t.table()));
    }

    @Override
    public ArgumentCompleter completer() {
        return TableArgument.completer();
    }
}
