package dev.sluice.console;

import java.util.ArrayList;
import java.util.List;

/**
 * The one argument syntax of console {@code /commands}: words are separated by white space, and a word in double or
 * single quotes keeps its spaces ({@code /run p.groovy --only "backfill tasks"}). Splitting, completion and quoting
 * all read it from here.
 */
public final class Arguments {
    private Arguments() {
    }

    /** The words of {@code args}, quotes removed. */
    public static List<String> split(String args) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    /**
     * Where the last word of {@code args} starts: after the last white space outside quotes, or at the opening quote of
     * a quoted word (also one still open, as while typing it).
     */
    public static int lastStart(String args) {
        char quote = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                start = i;
            } else if (Character.isWhitespace(c)) {
                start = i + 1;
            }
        }
        return start;
    }

    /** A word as it must be typed to come back whole from {@link #split}: quoted when it has white space. */
    public static String quoted(String name) {
        return name.chars().anyMatch(Character::isWhitespace) ? "\"" + name + "\"" : name;
    }
}
