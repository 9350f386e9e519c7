package dev.sluice.playbook.groovy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Finds where a syntax error really is. Groovy's parser, failing inside a closure passed to a command expression
 * ({@code playbook 'T', { … step 'x', { bad } … }}), backs out and blames the outer call ({@code 1:13: Unexpected input: ','}).
 * So: blank the inside of each {@code { … }} in turn; the innermost block whose blanking makes the file parse holds the
 * error, and parsing that block alone, at its own lines and columns, names it.
 */
final class SyntaxLocator {
    /** An error as the parser reports it: 1-based line and column, and its message. */
    record Found(int line, int column, String message) {
    }

    /** A {@code { … }} pair in the source (offsets of both braces) and the pairs directly inside it. */
    private record Block(int open, int close, List<Block> inner) {
    }

    private SyntaxLocator() {
    }

    /** The first syntax error of {@code text}, or empty when it parses. */
    static Optional<Found> parse(String scriptName, String text) {
        CompilationUnit cu = new CompilationUnit();
        cu.addSource(scriptName, text);
        try {
            cu.compile(Phases.CONVERSION);
            return Optional.empty();
        } catch (MultipleCompilationErrorsException e) {
            Message m = e.getErrorCollector().getErrorCount() > 0 ? e.getErrorCollector().getError(0) : null;
            if (m instanceof SyntaxErrorMessage sm) {
                SyntaxException se = sm.getCause();
                return Optional.of(new Found(se.getStartLine(), se.getStartColumn(), se.getOriginalMessage()));
            }
            return Optional.of(new Found(0, 0, e.getMessage()));
        } catch (RuntimeException e) {
            return Optional.of(new Found(0, 0, String.valueOf(e.getMessage())));
        }
    }

    /** Where the error in {@code text} (which does not parse) really is, when a block narrows it down. */
    static Optional<Found> locate(String scriptName, String text) {
        int[] unclosed = {-1};
        List<Block> top = blocks(text, unclosed);
        if (top == null && unclosed[0] >= 0) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < unclosed[0]; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return Optional.of(new Found(line, col, "this '{' is never closed: a '}' is missing below it"));
        }
        if (top == null) {
            return Optional.empty(); // an extra '}': the parser names it where it is
        }
        Block found = null;
        List<Block> level = top;
        descend:
        while (true) {
            for (Block b : level) {
                if (parse(scriptName, blank(text, b)).isEmpty()) {
                    found = b;
                    level = b.inner();
                    continue descend;
                }
            }
            break;
        }
        if (found == null) {
            return Optional.empty();
        }
        String alone = alone(text, found);
        if (alone == null) {
            return Optional.empty();
        }
        Optional<Found> f = parse(scriptName, alone);
        return f.filter(x -> x.line() > 0);
    }

    /** {@code text} with the inside of {@code b} turned to spaces (line breaks kept, so every position stays put). */
    private static String blank(String text, Block b) {
        StringBuilder sb = new StringBuilder(text);
        for (int i = b.open() + 1; i < b.close(); i++) {
            if (sb.charAt(i) != '\n' && sb.charAt(i) != '\r') {
                sb.setCharAt(i, ' ');
            }
        }
        return sb.toString();
    }

    /** Only {@code b}, as a closure assigned at the top ({@code x=} then blanks down to its brace), at its own positions. */
    private static String alone(String text, Block b) {
        StringBuilder sb = new StringBuilder(text);
        for (int i = 0; i < sb.length(); i++) {
            if ((i < b.open() || i > b.close()) && sb.charAt(i) != '\n' && sb.charAt(i) != '\r') {
                sb.setCharAt(i, ' ');
            }
        }
        int firstBreak = text.indexOf('\n');
        int lineOneEnd = firstBreak < 0 ? text.length() : firstBreak;
        if (b.open() < 2 || lineOneEnd < 2) {
            return null;
        }
        // Groovy accepts line breaks after '=', so the closure can start lines below the assignment.
        sb.setCharAt(0, 'x');
        sb.setCharAt(1, '=');
        return sb.toString();
    }

    /** The brace pairs outside strings and comments, nested; null when they do not balance ({@code unclosed[0]}: a '{' left open). */
    private static List<Block> blocks(String s, int[] unclosed) {
        List<Block> top = new ArrayList<>();
        Deque<Integer> opens = new ArrayDeque<>();
        Deque<List<Block>> inner = new ArrayDeque<>();
        inner.push(top);
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                int e = s.indexOf('\n', i);
                i = e < 0 ? n : e;
            } else if (s.startsWith("/*", i)) {
                int e = s.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
            } else if (s.startsWith("'''", i) || s.startsWith("\"\"\"", i)) {
                int e = s.indexOf(s.substring(i, i + 3), i + 3);
                i = e < 0 ? n : e + 3;
            } else if (c == '\'' || c == '"') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
            } else if (c == '{') {
                opens.push(i);
                inner.push(new ArrayList<>());
                i++;
            } else if (c == '}') {
                if (opens.isEmpty()) {
                    return null;
                }
                List<Block> mine = inner.pop();
                inner.peek().add(new Block(opens.pop(), i, mine));
                i++;
            } else {
                i++;
            }
        }
        if (!opens.isEmpty()) {
            unclosed[0] = opens.peekLast(); // the outermost one left open: its block runs to the end of the file
            return null;
        }
        return top;
    }
}
