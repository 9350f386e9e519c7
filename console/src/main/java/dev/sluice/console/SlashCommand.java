package dev.sluice.console;

import java.util.List;

/**
 * One console {@code /command}: a small class per verb. The console is handed its commands by whoever opens it
 * ({@link Console.Options#withCommands}); the standard set, the playbook and the journal commands plug in that way. A command that
 * holds something between calls (the playbook run {@code /run} loaded) implements {@link AutoCloseable}: the console
 * closes it when it ends.
 */
public interface SlashCommand {
    /** The name without the slash, e.g. {@code "tables"}. */
    String name();

    /** One line for /help. */
    String summary();

    /** How to call it, e.g. {@code "/tables [tier]"}. */
    default String usage() {
        return "/" + name();
    }

    /** Runs the command; an exception is reported as one line and keeps the console. */
    void run(String args, CommandContext context) throws Exception;

    /** Completes the argument being typed. */
    default ArgumentCompleter completer() {
        return ArgumentCompleter.NONE;
    }

    /**
     * Candidates for the word at the end of {@code args} (the text typed after the command name and a space). A word
     * may be a quoted string with spaces ({@code --only "backfill ta}): it starts at its opening quote.
     */
    @FunctionalInterface
    interface ArgumentCompleter {
        ArgumentCompleter NONE = (args, context) -> List.of();

        List<String> candidates(String args, CommandContext context);
    }
}
