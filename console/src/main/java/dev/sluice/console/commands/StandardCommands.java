package dev.sluice.console.commands;

import dev.sluice.console.Console;
import dev.sluice.console.SlashCommand;
import dev.sluice.console.playbook.PlaybookCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * The standard console's {@code /commands}, in /help order, listed here and nowhere else. The console knows none of
 * them: whoever opens one passes these ({@link #options()}), and later layers add theirs (the journal's).
 */
public final class StandardCommands {
    private StandardCommands() {
    }

    /** A fresh set (the playbook ones hold the run {@code /run} loads, one per console). */
    public static List<SlashCommand> create() {
        List<SlashCommand> all = new ArrayList<>(List.of(
                new HelpCommand(),
                new TiersCommand(),
                new TablesCommand(),
                new SchemaCommand(),
                new DescribeCommand(),
                new ModeCommand(),
                new GroovyCommand(),
                new HistoryCommand(),
                new SaveCommand()));
        all.addAll(PlaybookCommands.create()); // /run /steps /next /commit /rollback /skip /status, one run per console
        all.add(new ExitCommand());
        return all;
    }

    /** Console options offering the standard commands, a fresh set for each console built with them. */
    public static Console.Options options() {
        return Console.Options.defaults().withCommands(StandardCommands::create);
    }
}
