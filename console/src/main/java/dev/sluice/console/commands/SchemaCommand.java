package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.util.ArrayList;
import java.util.List;

/** {@code /schema tier.table}: the CREATE statements of a table, its indexes and triggers. */
final class SchemaCommand implements SlashCommand {
    @Override
    public String name() {
        return "schema";
    }

    @Override
    public String summary() {
        return "The CREATE statements of a table: /schema tier1.messages";
    }

    @Override
    public String usage() {
        return "/schema tier.table";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        String a = args.strip();
        int dot = a.indexOf('.');
        if (dot <= 0 || dot == a.length() - 1) {
            throw new SluiceException(ErrorCode.USAGE, "/schema needs tier.table, e.g. /schema "
                    + ctx.session().tiers().names().stream().findFirst().orElse("tier1") + ".TABLE; got '" + a + "'.");
        }
        Tier t = ctx.session().tier(a.substring(0, dot));
        ctx.out().println(t.schema(a.substring(dot + 1)));
    }

    @Override
    public ArgumentCompleter completer() {
        return (args, ctx) -> {
            List<String> out = new ArrayList<>();
            for (Tier t : ctx.session().tiers()) {
                for (String table : t.tables()) {
                    out.add(t.name() + "." + table);
                }
            }
            return out;
        };
    }
}
