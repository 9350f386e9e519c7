package dev.sluice.console;

import java.io.IOException;

/** Where the console's inputs come from: a terminal line editor or a plain stream (pipe, file, -e). */
interface InputSource {
    /**
     * The next complete input: one {@code /command} line, or Java source that JShell considers complete (it may hold
     * several snippets or span lines). Null at the end of input (or when Ctrl-C at the prompt ends the console); empty when the user
     * cancelled the line (Ctrl-C).
     */
    String read() throws IOException;

    /** Asks a yes/no question; false when nobody can answer. */
    default boolean confirm(String question) throws IOException {
        return false;
    }

    /** True for slash commands, as opposed to Java comments that also start with a slash. */
    static boolean isCommand(String input) {
        String s = input.stripLeading();
        return s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/*");
    }
}
