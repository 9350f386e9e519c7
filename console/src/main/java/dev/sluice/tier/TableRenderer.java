package dev.sluice.tier;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jline.utils.AttributedString;

/**
 * Renders rows as an aligned text table that fits a width: numbers to the right, long values cut with …, NULL as NULL.
 * Widths are terminal columns, as JLine measures them (wcwidth: CJK and most emoji take two, combining marks none), so
 * a table of Chinese names lines up as one of ASCII names does.
 */
final class TableRenderer {
    private static final int MIN_COL = 4;
    /** Corners and lines: top (left, join, right), header rule, bottom, and the vertical bar. */
    private static final String[] ASCII = {"+", "+", "+", "+", "+", "+", "+", "+", "+", "-", "|"};
    private static final String[] BOX = {"┌", "┬", "┐", "├", "┼", "┤", "└", "┴", "┘", "─", "│"};

    private TableRenderer() {
    }

    static String cell(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 8));
            return "x'" + hex + (b.length > 8 ? "…" : "") + "' (" + b.length + " B)";
        }
        if (v instanceof Double || v instanceof Float) {
            return String.valueOf(v);
        }
        return visible(v.toString());
    }

    /** Control characters as escapes: a value holding ESC must not move the cursor or recolour the terminal. */
    private static String visible(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
                    : c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : null;
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** Terminal columns {@code s} takes. */
    static int columns(String s) {
        return new AttributedString(s).columnLength();
    }

    /** The longest start of {@code s} that takes at most {@code cols} terminal columns (a wide character is never split). */
    static String cut(String s, int cols) {
        return new AttributedString(s).columnSubSequence(0, Math.max(0, cols)).toString();
    }

    static String render(List<String> columns, List<Row> rows, int maxRows, int width) {
        return render(columns, rows, maxRows, width, false, null);
    }

    /**
     * The table, then one line: the row count, or {@code footer} in its place (a preview cut short says what it left out).
     * {@code box} draws with box-drawing characters instead of {@code + - |}.
     */
    static String render(List<String> columns, List<Row> rows, int maxRows, int width, boolean box, String footer) {
        int n = columns.size();
        if (n == 0) {
            return "(no columns)";
        }
        String[] g = box ? BOX : ASCII;
        int shown = Math.min(rows.size(), maxRows);
        String[][] cells = new String[shown][n];
        int[][] cellWidths = new int[shown][n];
        boolean[] numeric = new boolean[n];
        java.util.Arrays.fill(numeric, true);
        String[] header = columns.toArray(new String[0]);
        int[] headerWidths = new int[n];
        int[] w = new int[n];
        for (int c = 0; c < n; c++) {
            header[c] = visible(header[c]);
            headerWidths[c] = columns(header[c]);
            w[c] = headerWidths[c];
        }
        for (int r = 0; r < shown; r++) {
            Object[] raw = rows.get(r).raw();
            for (int c = 0; c < n; c++) {
                cells[r][c] = cell(raw[c]);
                cellWidths[r][c] = columns(cells[r][c]);
                w[c] = Math.max(w[c], cellWidths[r][c]);
                if (raw[c] != null && !(raw[c] instanceof Number)) {
                    numeric[c] = false;
                }
            }
        }
        if (shown == 0) {
            java.util.Arrays.fill(numeric, false);
        }
        fit(w, width - (3 * n + 1));
        StringBuilder sb = new StringBuilder();
        rule(sb, w, g[0], g[1], g[2], g[9]);
        line(sb, header, headerWidths, w, new boolean[n], g[10]);
        rule(sb, w, g[3], g[4], g[5], g[9]);
        for (int r = 0; r < shown; r++) {
            line(sb, cells[r], cellWidths[r], w, numeric, g[10]);
        }
        rule(sb, w, g[6], g[7], g[8], g[9]);
        sb.setLength(sb.length() - 1);
        if (footer != null) {
            sb.append('\n').append('(').append(footer).append(')');
        } else if (rows.size() > shown) {
            sb.append('\n').append(String.format(Locale.ROOT, "(%,d rows, %,d shown)", rows.size(), shown));
        } else {
            sb.append('\n').append(String.format(Locale.ROOT, "(%,d row%s)", rows.size(), rows.size() == 1 ? "" : "s"));
        }
        return sb.toString();
    }

    /** Shrinks the widest columns until the table fits the available width. */
    private static void fit(int[] w, int available) {
        int total = 0;
        for (int x : w) {
            total += x;
        }
        while (total > available) {
            int widest = 0;
            for (int i = 1; i < w.length; i++) {
                if (w[i] > w[widest]) {
                    widest = i;
                }
            }
            if (w[widest] <= MIN_COL) {
                return;
            }
            w[widest]--;
            total--;
        }
    }

    private static void rule(StringBuilder sb, int[] w, String left, String join, String right, String dash) {
        sb.append(left);
        for (int c = 0; c < w.length; c++) {
            sb.append(dash.repeat(w[c] + 2)).append(c + 1 < w.length ? join : right);
        }
        sb.append('\n');
    }

    private static void line(StringBuilder sb, String[] cells, int[] widths, int[] w, boolean[] right, String bar) {
        sb.append(bar);
        for (int c = 0; c < w.length; c++) {
            String s = cells[c];
            int sw = widths[c];
            if (sw > w[c]) {
                s = cut(s, w[c] - 1) + "…";
                sw = columns(s);
            }
            String pad = " ".repeat(Math.max(0, w[c] - sw));
            sb.append(' ');
            if (right[c]) {
                sb.append(pad).append(s);
            } else {
                sb.append(s).append(pad);
            }
            sb.append(' ').append(bar);
        }
        sb.append('\n');
    }
}
