package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;

/**
 * {@code /schema tier.table}: the CREATE statements of a table, its indexes and triggers (on PostgreSQL rebuilt from
 * {@code pg_catalog}, constraints included).
 */
final class SchemaCommand implements SlashCommand {
    @Override
    public String name() {
        return "schema";
    }

    @Override
    public String summary() {
        return "The CREATE statements of a table, its indexes and triggers: /schema tier1.messages";
    }

    @Override
    public String usage() {
        return "/schema tier.table";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        TableArgument t = TableArgument.parse(name(), args, ctx);
        ctx.out().println(t.tier().schema(t.table()));
    }

    @Override
    public ArgumentCompleter completer() {
        return TableArgument.completer();
    }
}
