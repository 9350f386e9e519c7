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
    /** Width a table prints at unless its printer binds another ({@link #bindDisplayWidth}). */
    public static final int DEFAULT_WIDTH = 120;
    /**
     * The width of the terminal that prints rows on this thread, bound by the console that owns the terminal (for its
     * input thread and its JShell thread, whose snippet threads inherit it); never a JVM-wide value.
     */
    private static final InheritableThreadLocal<Integer> DISPLAY_WIDTH = new InheritableThreadLocal<>();

    private final List<String> columns;
    private final List<Row> rows;
    /** The {@code query} call that returned these rows (tier, SQL, arguments), or null: what a journal names them by. */
    private final TierInternals.Query source;

    public Rows(List<String> columns, List<Object[]> values) {
        this(columns, values, null);
    }

    Rows(List<String> columns, List<Object[]> values, TierInternals.Query source) {
        this.columns = List.copyOf(columns);
        List<Row> r = new ArrayList<>(values.size());
        for (Object[] v : values) {
            r.add(new Row(this.columns, v));
        }
        this.rows = List.copyOf(r);
        this.source = source;
    }

    TierInternals.Query source() {
        return source;
    }

    /**
     * Prints rows on this thread (and on threads it starts from now on) at most {@code width} columns wide (at least
     * 40), until the returned binding is closed, which puts back what was there.
     */
    public static DisplayWidth bindDisplayWidth(int width) {
        DisplayWidth b = new DisplayWidth(Thread.currentThread(), DISPLAY_WIDTH.get());
        DISPLAY_WIDTH.set(Math.max(40, width));
        return b;
    }

    /** The width rows print at on this thread. */
    public static int displayWidth() {
        Integer w = DISPLAY_WIDTH.get();
        return w == null ? DEFAULT_WIDTH : w;
    }

    /** A printer's hold on the display width of one thread; {@link #close} restores the previous one. */
    public static final class DisplayWidth implements AutoCloseable {
        private final Thread thread;
        private final Integer previous;

        private DisplayWidth(Thread thread, Integer previous) {
            this.thread = thread;
            this.previous = previous;
        }

        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a display width is unbound on the thread that bound it (" + thread.getName() + ")");
            }
            if (previous == null) {
                DISPLAY_WIDTH.remove();
            } else {
                DISPLAY_WIDTH.set(previous);
            }
        }
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

    /**
     * The SHA-256 of every row in order, in the checksum encoding (so SQLite and PostgreSQL rows with the same values give
     * the same digest; column names are left out for that reason): what a journal records of a query the console showed,
     * and what an exported playbook compares it with.
     */
    public String digest() {
        Checksummer enc = new Checksummer(null);
        java.security.MessageDigest all = dev.sluice.encoding.Sha256.digest();
        for (Row r : rows) {
            Object[] values = new Object[r.size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = r.get(c);
            }
            all.update(enc.rowBytes(values));
        }
        return java.util.HexFormat.of().formatHex(all.digest());
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

    /** This result as an aligned table at most {@code width} columns wide. */
    public String render(int width) {
        return TableRenderer.render(columns, rows, DISPLAY_ROWS, Math.max(40, width));
    }

    @Override
    public String toString() {
        return render(displayWidth());
    }
}
