package dev.sluice.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Predicate;

/**
 * Reads inputs from a plain stream (a pipe, a file, an {@code -e} snippet) without a line editor and without prompts,
 * joining lines until JShell's analysis says the Java source is complete (DESIGN.md §9: JLine on a pipe would print
 * prompts to stdout).
 */
final class PlainInput implements InputSource {
    private final BufferedReader in;
    private final Predicate<String> complete;
    private final PrintStream out;

    PlainInput(BufferedReader in, Predicate<String> complete, PrintStream out) {
        this.in = in;
        this.complete = complete;
        this.out = out;
    }

    /** The next line is the answer; question and answer go to the output so the transcript reads as a dialogue. */
    @Override
    public boolean confirm(String question) throws IOException {
        String line = in.readLine();
        String answer = line == null ? "" : line.strip();
        out.println(question + answer);
        return answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes");
    }

    @Override
    public String read() throws IOException {
        StringBuilder buf = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (buf.length() == 0) {
                if (line.isBlank()) {
                    continue;
                }
                if (InputSource.isCommand(line)) {
                    return line.strip();
                }
            }
            buf.append(line).append('\n');
            if (complete.test(buf.toString())) {
                return buf.toString();
            }
        }
        return buf.length() == 0 ? null : buf.toString();
    }
}
