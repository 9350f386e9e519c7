package dev.sluice.console;

import dev.sluice.console.commands.ExitCommand;
import dev.sluice.console.commands.GroovyCommand;
import dev.sluice.console.commands.HelpCommand;
import dev.sluice.console.commands.HistoryCommand;
import dev.sluice.console.commands.SaveCommand;
import dev.sluice.console.commands.SchemaCommand;
import dev.sluice.console.commands.TablesCommand;
import dev.sluice.console.commands.TiersCommand;
import dev.sluice.console.playbook.PlaybookCommands;
import java.util.ArrayList;
import java.util.List;

/** The dispatcher's table of {@code /commands}: the standard ones are listed here, in /help order, and nowhere else. */
public final class SlashCommands {
    private final List<SlashCommand> commands;

    private SlashCommands(List<SlashCommand> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The console's own commands, a fresh set per console (the playbook ones hold its run). Later layers add theirs with {@link #with} (see {@link Console.Options#withCommands}). */
    public static SlashCommands standard() {
        List<SlashCommand> all = new ArrayList<>(List.of(
                new HelpCommand(),
                new TiersCommand(),
                new TablesCommand(),
                new SchemaCommand(),
                new GroovyCommand(),
                new HistoryCommand(),
                new SaveCommand()));
        all.addAll(PlaybookCommands.create()); // /run /steps /next /commit /rollback /skip /status, one run per console
        all.add(new ExitCommand());
        return new SlashCommands(all);
    }

    /** These commands plus {@code more}; a later command with the same name replaces the earlier one. */
    public SlashCommands with(List<SlashCommand> more) {
        List<SlashCommand> all = new ArrayList<>(commands);
        for (SlashCommand c : more) {
            all.removeIf(x -> x.name().equals(c.name()));
            all.add(c);
        }
        return new SlashCommands(all);
    }

    public List<SlashCommand> all() {
        return commands;
    }

    /** The command with this name, or the only one it is a prefix of ({@code /ta} for {@code /tables}); else null. */
    public SlashCommand find(String name) {
        for (SlashCommand c : commands) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        List<SlashCommand> prefixed = commands.stream().filter(c -> c.name().startsWith(name)).toList();
        return prefixed.size() == 1 && !name.isEmpty() ? prefixed.get(0) : null;
    }
}
