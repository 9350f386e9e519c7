package dev.sluice.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * Reads inputs from a plain stream (a pipe, a file, an {@code -e} snippet) without a line editor and without prompts,
 * joining lines until JShell's analysis says the Java source is complete (DESIGN.md §9: JLine on a pipe would print
 * prompts to stdout).
 */
final class PlainInput implements InputSource {
    private final BufferedReader in;
    private final Predicate<String> complete;

    PlainInput(BufferedReader in, Predicate<String> complete) {
        this.in = in;
        this.complete = complete;
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
