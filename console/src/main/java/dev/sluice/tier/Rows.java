package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A query result held in memory (at most {@link #MAX_ROWS} rows; stream bigger ones with {@code Tier.each}).
 * Prints as an aligned table, iterates as {@link Row}s, and gives {@link #value()} for a single cell.
 */
public final class Rows implements Iterable<Row> {
    public static final int MAX_ROWS = 100_000;
    /** Rows shown when printed; the rest are counted. */
    public static final int DISPLAY_ROWS = 50;
    /** Terminal width used for printing; the console sets it from the terminal. */
    private static volatile int displayWidth = 120;

    private final List<String> columns;
    private final List<Row> rows;

    public Rows(List<String> columns, List<Object[]> values) {
        this.columns = List.copyOf(columns);
        List<Row> r = new ArrayList<>(values.size());
        for (Object[] v : values) {
            r.add(new Row(this.columns, v));
        }
        this.rows = List.copyOf(r);
    }

    public static void setDisplayWidth(int width) {
        displayWidth = Math.max(40, width);
    }

    public static int displayWidth() {
        return displayWidth;
    }

    public List<String> columns() {
        return columns;
    }

    public List<Row> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public Row get(int i) {
        return rows.get(i);
    }

    /** Groovy's {@code rows[0]}. */
    public Row getAt(int i) {
        return rows.get(i);
    }

    /** The single cell of a one-column result: null when there is no row. */
    public Object value() {
        if (columns.size() != 1 || rows.size() > 1) {
            throw new SluiceException(ErrorCode.USAGE, "value() needs one column and at most one row; this result has "
                    + columns.size() + " column(s) and " + rows.size() + " row(s). Use get(row).get(column) instead.");
        }
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /** The first column of every row. */
    public List<Object> values() {
        List<Object> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(r.get(0)));
        return out;
    }

    @Override
    public Iterator<Row> iterator() {
        return rows.iterator();
    }

    @Override
    public String toString() {
        return TableRenderer.render(columns, rows, DISPLAY_ROWS, displayWidth);
    }
}
