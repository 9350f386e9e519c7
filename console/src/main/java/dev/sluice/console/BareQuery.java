package dev.sluice.console;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises an input that is nothing but a query whose result the console shows: {@code tier1.query("select …")} or
 * {@code tier("tier1").query("select * from " + t, 5)}, arguments being literals, names and {@code +} (no call, so no
 * other query runs first). Such a query is a preview ({@code TierInternals.previewNextQuery}): a table of a million rows
 * shows its first rows instead of being refused. A query assigned to a variable is not one: it is held whole.
 */
final class BareQuery {
    private static final Pattern HEAD = Pattern.compile(
            "^(?:([A-Za-z_$][\\w$]*)|tier\\s*\\(\\s*\"((?:[^\"\\\\\\n]|\\\\.)*)\"\\s*\\))\\s*\\.\\s*query\\s*\\(");

    /** Who the query runs on: a variable's name, or the name given to {@code tier("…")}. */
    record Receiver(String variable, String tierName) {
    }

    private BareQuery() {
    }

    static Optional<Receiver> of(String source) {
        String s = source.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        Matcher m = HEAD.matcher(s);
        if (!s.endsWith(")") || !m.find() || !plainArguments(s.substring(m.end(), s.length() - 1))) {
            return Optional.empty();
        }
        return Optional.of(new Receiver(m.group(1), m.group(2)));
    }

    /** True when the arguments hold no parenthesis, brace, semicolon or comment outside string and char literals. */
    private static boolean plainArguments(String args) {
        int i = 0;
        while (i < args.length()) {
            char c = args.charAt(i);
            if (args.startsWith("\"\"\"", i)) {
                int end = args.indexOf("\"\"\"", i + 3);
                while (end > 0 && args.charAt(end - 1) == '\\') {
                    end = args.indexOf("\"\"\"", end + 1);
                }
                if (end < 0) {
                    return false;
                }
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < args.length() && args.charAt(j) != c) {
                    if (args.charAt(j) == '\n') {
                        return false;
                    }
                    j += args.charAt(j) == '\\' ? 2 : 1;
                }
                if (j >= args.length()) {
                    return false;
                }
                i = j + 1;
            } else if ("(){};".indexOf(c) >= 0 || args.startsWith("//", i) || args.startsWith("/*", i)) {
                return false;
            } else {
                i++;
            }
        }
        return true;
    }
}
