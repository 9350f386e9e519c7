package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import java.util.List;
import java.util.Map;

/** {@code /tables [tier]}: the tables of one tier (or every tier) with their row counts. */
final class TablesCommand implements SlashCommand {
    @Override
    public String name() {
        return "tables";
    }

    @Override
    public String summary() {
        return "Tables with row counts, of one tier or all: /tables tier1";
    }

    @Override
    public String usage() {
        return "/tables [tier]";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        List<Tier> tiers = args.isBlank() ? List.copyOf(ctx.session().tiers().all()) : List.of(ctx.session().tier(args.strip()));
        for (Tier t : tiers) {
            Map<String, Long> counts = t.counts();
            ctx.out().println(t.name() + ":" + (counts.isEmpty() ? " no tables" : ""));
            int w = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
            counts.forEach((table, n) -> ctx.out().printf("  %-" + w + "s  %12s%n", table, Format.count(n)));
        }
    }

    @Override
    public ArgumentCompleter completer() {
        return (args, ctx) -> ctx.session().tiers().names();
    }
}
