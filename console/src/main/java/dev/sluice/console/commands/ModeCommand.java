package dev.sluice.console.commands;

import dev.sluice.console.Arguments;
import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Rows;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code /mode [table|box|csv|json]}, as sqlite3's {@code .mode}: how query results print in this console from now on
 * (aligned tables, box-drawn tables, RFC 4180 CSV, a JSON array of objects). Without an argument it says which is on;
 * with one it prints nothing, so {@code sluice console -e '/mode csv' -e '…' > out.csv} holds only the CSV.
 */
final class ModeCommand implements SlashCommand {
    private static final List<String> NAMES = Arrays.stream(Rows.Mode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList();

    @Override
    public String name() {
        return "mode";
    }

    @Override
    public String summary() {
        return "How query results print: table, box, csv (RFC 4180) or json; alone, shows the mode: /mode csv";
    }

    @Override
    public String usage() {
        return "/mode [table|box|csv|json]";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        List<String> words = Arguments.split(args);
        if (words.isEmpty()) {
            ctx.out().println("mode " + ctx.displayMode().name().toLowerCase(Locale.ROOT) + " (one of " + String.join(", ", NAMES) + ")");
            return;
        }
        String want = words.get(0).toLowerCase(Locale.ROOT);
        if (words.size() > 1 || !NAMES.contains(want)) {
            throw new SluiceException(ErrorCode.USAGE, "/mode takes one of " + String.join(", ", NAMES) + "; got '" + args.strip()
                    + "'. Example: /mode csv");
        }
        ctx.displayMode(Rows.Mode.valueOf(want.toUpperCase(Locale.ROOT))); // silent, as sqlite3: a script's output stays data
    }

    @Override
    public ArgumentCompleter completer() {
        return (args, ctx) -> NAMES;
    }
}
