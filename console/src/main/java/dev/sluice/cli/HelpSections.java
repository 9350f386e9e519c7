package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The parts of {@code --help} that Sluice draws itself: the top-level command list, one whole sentence per command
 * (picocli lists the first line of a description, which is often half a sentence), and the exit statuses, made from
 * {@link ErrorCode} so the help cannot drift from what the process returns.
 */
final class HelpSections {
    private HelpSections() {
    }

    /** Adds the command list and the exit statuses to {@code cl} and to each of its subcommands' help. */
    static void install(CommandLine cl) {
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpSections::commandList);
        List<CommandLine> all = new ArrayList<>();
        all.add(cl);
        cl.getSubcommands().values().stream().filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand)).forEach(all::add);
        for (CommandLine c : all) {
            c.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_FOOTER, HelpSections::exitStatuses);
        }
    }

    /** The first sentence of a command's description, however its lines are cut, with the example left out. */
    static String summary(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        if (usage.header().length > 0) {
            return usage.header()[0]; // picocli's own help command says it there
        }
        List<String> parts = new ArrayList<>();
        for (String line : usage.description()) {
            if (!line.startsWith("Example")) {
                parts.add(line.strip());
            }
        }
        String text = String.join(" ", parts);
        int from = 0;
        while (true) {
            int dot = text.indexOf(". ", from);
            if (dot < 0) {
                return text;
            }
            String before = text.substring(0, dot + 1);
            if (!before.endsWith("e.g.") && !before.endsWith("i.e.") && !before.endsWith("etc.")) {
                return before;
            }
            from = dot + 1;
        }
    }

    private static String commandList(Help help) {
        Map<String, Help> subcommands = help.subcommands();
        if (subcommands.isEmpty()) {
            return "";
        }
        int width = help.commandSpec().usageMessage().width();
        int names = subcommands.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(),
                new Help.Column(names + 2, 2, Help.Column.Overflow.SPAN),
                new Help.Column(width - names - 2, 0, Help.Column.Overflow.WRAP));
        subcommands.forEach((name, sub) -> table.addRowValues(name, summary(sub.commandSpec())));
        return table.toString();
    }

    /** Every exit status, 0 first, one row each (the footer of every command's help). */
    static String exitStatuses(Help help) {
        int width = help.commandSpec().usageMessage().width();
        Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(),
                new Help.Column(6, 2, Help.Column.Overflow.SPAN),
                new Help.Column(width - 6, 0, Help.Column.Overflow.WRAP));
        table.addRowValues("0", "ok");
        for (ErrorCode c : ErrorCode.values()) {
            table.addRowValues(Integer.toString(c.exitStatus()), c.meaning());
        }
        return String.format("%nExit status:%n") + table + System.lineSeparator();
    }
}
