package dev.sluice.tier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into statements at top-level semicolons, honouring quotes, comments and
 * {@code CREATE TRIGGER … BEGIN … END} bodies (the same notion of "complete" as sqlite3_complete).
 */
public final class SqlScript {
    private SqlScript() {
    }

    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int depth = 0; // BEGIN…END nesting inside a trigger body
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == close) {
                        if (close != ']' && j + 1 < n && sql.charAt(j + 1) == close) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                cur.append(sql, i, Math.min(n, j + 1));
                i = j;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int j = sql.indexOf('\n', i);
                j = j < 0 ? n : j;
                cur.append(sql, i, j);
                i = j - 1;
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int j = sql.indexOf("*/", i + 2);
                j = j < 0 ? n : j + 2;
                cur.append(sql, i, j);
                i = j - 1;
                continue;
            }
            if (Character.isLetter(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
                int j = i;
                while (j < n && isWordChar(sql.charAt(j))) {
                    j++;
                }
                String word = sql.substring(i, j).toUpperCase(Locale.ROOT);
                if (isTrigger(cur)) {
                    if (word.equals("BEGIN") || word.equals("CASE")) {
                        depth++;
                    } else if (word.equals("END")) {
                        depth--;
                    }
                }
                cur.append(sql, i, j);
                i = j - 1;
                continue;
            }
            if (c == ';' && depth <= 0) {
                add(out, cur);
                cur.setLength(0);
                depth = 0;
                continue;
            }
            cur.append(c);
        }
        add(out, cur);
        return out;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean isTrigger(CharSequence cur) {
        String head = stripComments(cur.toString()).trim().toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        return head.startsWith("CREATE TRIGGER") || head.startsWith("CREATE TEMP TRIGGER")
                || head.startsWith("CREATE TEMPORARY TRIGGER");
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ");
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().trim();
        if (!stripComments(s).isBlank()) {
            out.add(s);
        }
    }
}
