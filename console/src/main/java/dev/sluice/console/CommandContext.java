package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.tier.Rows;
import java.io.PrintStream;
import java.util.List;

/** What a {@link SlashCommand} may use: the open session, the console's output, its history, and leaving. */
public interface CommandContext {
    Session session();

    /** Where the command prints for people. */
    PrintStream out();

    /** Every input of this console session so far, oldest first (the current command last). */
    List<String> history();

    /** The registered commands, in /help order. */
    List<SlashCommand> commands();

    /** Asks the console to end after this command (as Ctrl-D does, with its confirmation). */
    void requestExit();

    /** True with --verbose. */
    boolean verbose();

    /**
     * Asks the person at the console a yes/no question (a non-transactional action inside a step): on a terminal it
     * prompts; in a script the next input line is the answer. Anything but {@code y}/{@code yes} is no.
     */
    boolean confirm(String question);

    /** Tells the console's listeners (the journal) the object this command showed, e.g. /groovy's result, as a snippet's. */
    default void shown(Object value) {
    }

    /** How query results print in this console ({@code /mode}). */
    Rows.Mode displayMode();

    /** Prints query results in {@code mode} from now on, in this console only. */
    void displayMode(Rows.Mode mode);

    /** Tells the console's listeners (the journal) what this command evaluated, e.g. /groovy's code. */
    void evaluated(EvalListener.Kind kind, String text, String summary);
}
