package dev.sluice.console.commands;

import dev.sluice.console.Arguments;
import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tier.table} argument of {@code /schema} and {@code /describe}: split at the first dot (a table name with
 * spaces in quotes: {@code tier1."order lines"}), completed from every tier's tables.
 */
record TableArgument(Tier tier, String table) {
    static TableArgument parse(String command, String args, CommandContext ctx) {
        List<String> words = Arguments.split(args);
        String a = words.size() == 1 ? words.get(0) : args.strip();
        int dot = a.indexOf('.');
        if (words.size() != 1 || dot <= 0 || dot == a.length() - 1) {
            throw new SluiceException(ErrorCode.USAGE, "/" + command + " needs tier.table, e.g. /" + command + " "
                    + ctx.session().tiers().names().stream().findFirst().orElse("tier1") + ".TABLE; got '" + args.strip() + "'.");
        }
        return new TableArgument(ctx.session().tier(a.substring(0, dot)), a.substring(dot + 1));
    }

    static SlashCommand.ArgumentCompleter completer() {
        return (args, ctx) -> {
            List<String> out = new ArrayList<>();
            for (Tier t : ctx.session().tiers()) {
                for (String table : t.tables()) {
                    out.add(t.name() + "." + (table.matches("[\\w$]+") ? table : "\"" + table + "\""));
                }
            }
            return out;
        };
    }
}
