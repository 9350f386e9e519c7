package dev.sluice.tier;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Renders rows as an aligned text table that fits a width: numbers to the right, long values cut with …, NULL as NULL. */
final class TableRenderer {
    private static final int MIN_COL = 4;

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
        String s = v.toString();
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    static String render(List<String> columns, List<Row> rows, int maxRows, int width) {
        int n = columns.size();
        if (n == 0) {
            return "(no columns)";
        }
        int shown = Math.min(rows.size(), maxRows);
        String[][] cells = new String[shown][n];
        boolean[] numeric = new boolean[n];
        java.util.Arrays.fill(numeric, true);
        int[] w = new int[n];
        for (int c = 0; c < n; c++) {
            w[c] = columns.get(c).length();
        }
        boolean anyRow = false;
        for (int r = 0; r < shown; r++) {
            Object[] raw = rows.get(r).raw();
            for (int c = 0; c < n; c++) {
                cells[r][c] = cell(raw[c]);
                w[c] = Math.max(w[c], cells[r][c].length());
                if (raw[c] != null && !(raw[c] instanceof Number)) {
                    numeric[c] = false;
                }
            }
            anyRow = true;
        }
        if (!anyRow) {
            java.util.Arrays.fill(numeric, false);
        }
        fit(w, width - (3 * n + 1));
        StringBuilder sb = new StringBuilder();
        String sep = separator(w);
        sb.append(sep).append('\n');
        line(sb, columns.toArray(new String[0]), w, new boolean[n]);
        sb.append(sep).append('\n');
        for (int r = 0; r < shown; r++) {
            line(sb, cells[r], w, numeric);
        }
        sb.append(sep);
        if (rows.size() > shown) {
            sb.append('\n').append(String.format(java.util.Locale.ROOT, "(%,d rows, %,d shown)", rows.size(), shown));
        } else {
            sb.append('\n').append(String.format(java.util.Locale.ROOT, "(%,d row%s)", rows.size(), rows.size() == 1 ? "" : "s"));
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

    private static String separator(int[] w) {
        List<String> parts = new ArrayList<>();
        for (int x : w) {
            parts.add("-".repeat(x + 2));
        }
        return "+" + String.join("+", parts) + "+";
    }

    private static void line(StringBuilder sb, String[] cells, int[] w, boolean[] right) {
        sb.append('|');
        for (int c = 0; c < w.length; c++) {
            String s = cells[c];
            if (s.codePointCount(0, s.length()) > w[c]) {
                s = s.substring(0, s.offsetByCodePoints(0, Math.max(0, w[c] - 1))) + "…";
            }
            int pad = w[c] - s.codePointCount(0, s.length());
            sb.append(' ');
            if (right[c]) {
                sb.append(" ".repeat(pad)).append(s);
            } else {
                sb.append(s).append(" ".repeat(pad));
            }
            sb.append(" |");
        }
        sb.append('\n');
    }
}
