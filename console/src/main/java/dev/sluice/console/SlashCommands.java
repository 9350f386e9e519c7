package dev.sluice.console;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The dispatcher's table of {@code /commands}, in /help order. The console has none of its own: whoever opens it hands
 * it the commands to offer ({@link Console.Options#withCommands}; the standard set is {@code
 * console.commands.StandardCommands}), so the console never depends on the packages its commands live in.
 */
public final class SlashCommands {
    private final List<SlashCommand> commands;

    private SlashCommands(List<SlashCommand> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The commands the factories make, in order; a later command with the same name replaces the earlier one. */
    static SlashCommands of(List<Supplier<List<SlashCommand>>> factories) {
        SlashCommands out = new SlashCommands(List.of());
        for (Supplier<List<SlashCommand>> f : factories) {
            out = out.with(f.get());
        }
        return out;
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
