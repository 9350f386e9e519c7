package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A query result held in memory (at most {@link #MAX_ROWS} rows; stream bigger ones with {@code Tier.each}).
 * Prints as an aligned table (or as the printing console's {@link Mode} asks), iterates as {@link Row}s, and gives
 * {@link #value()} for a single cell.
 *
 * <p>A query typed bare at the console prompt is a <em>preview</em> ({@link TierInternals#previewNextQuery}): it reads
 * at most {@link #PREVIEW_ROWS} rows; when the result is longer, the value keeps only the rows shown, says so when
 * printed, and refuses to be read as the whole result (iterating it, its size, its values) rather than give a part as
 * the whole.
 */
public final class Rows implements Iterable<Row> {
    public static final int MAX_ROWS = 100_000;
    /** Rows shown when printed as a table; the rest are counted. */
    public static final int DISPLAY_ROWS = 50;
    /** Rows a preview reads at most: a longer result shows its first {@link #DISPLAY_ROWS} and is not counted. */
    public static final int PREVIEW_ROWS = 10_000;
    /** Width a table prints at unless its printer binds another ({@link #bindDisplay}). */
    public static final int DEFAULT_WIDTH = 120;

    /** How rows print: sqlite3's {@code .mode} names. */
    public enum Mode {
        /** An aligned table drawn with {@code + - |} (the default). */
        TABLE,
        /** An aligned table drawn with box-drawing characters. */
        BOX,
        /** RFC 4180: a header line, then one record per row, CRLF between records. */
        CSV,
        /** A JSON array with one object per row, column names as keys. */
        JSON
    }

    /**
     * What the console printing rows on a thread wants: its width, read each time a result prints (so a resized
     * terminal is followed), and its mode.
     */
    public interface Display {
        int width();

        Mode mode();

        /** A fixed width, as a table. */
        static Display fixed(int width) {
            return new Display() {
                @Override
                public int width() {
                    return width;
                }

                @Override
                public Mode mode() {
                    return Mode.TABLE;
                }
            };
        }
    }

    /**
     * The display of the console that prints rows on this thread, bound by that console (for its input thread and its
     * JShell thread, whose snippet threads inherit it); never a JVM-wide value.
     */
    private static final InheritableThreadLocal<Display> DISPLAY = new InheritableThreadLocal<>();

    private final List<String> columns;
    private final List<Row> rows;
    /** The {@code query} call that returned these rows (tier, SQL, arguments), or null: what a journal names them by. */
    private final TierInternals.Query source;
    /** Null for a whole result; for a preview cut short, the sentence that refuses to read it as a whole. */
    private final String partial;

    public Rows(List<String> columns, List<Object[]> values) {
        this(columns, values, null, null);
    }

    Rows(List<String> columns, List<Object[]> values, TierInternals.Query source) {
        this(columns, values, source, null);
    }

    /** A preview cut short: {@code shown} are the rows kept, {@code refusal} says what to do to read them all. */
    static Rows partial(List<String> columns, List<Object[]> shown, String refusal) {
        return new Rows(columns, shown, null, refusal);
    }

    private Rows(List<String> columns, List<Object[]> values, TierInternals.Query source, String partial) {
        this.columns = List.copyOf(columns);
        List<Row> r = new ArrayList<>(values.size());
        for (Object[] v : values) {
            r.add(new Row(this.columns, v));
        }
        this.rows = List.copyOf(r);
        this.source = source;
        this.partial = partial;
    }

    TierInternals.Query source() {
        return source;
    }

    /** Whether this is a preview cut short (it refuses to be read as the whole result). */
    boolean cutShort() {
        return partial != null;
    }

    /**
     * Prints rows on this thread (and on threads it starts from now on) as {@code display} says, until the returned
     * binding is closed, which puts back what was there.
     */
    public static DisplayBinding bindDisplay(Display display) {
        DisplayBinding b = new DisplayBinding(Thread.currentThread(), DISPLAY.get());
        DISPLAY.set(display);
        return b;
    }

    /** {@link #bindDisplay} at a fixed width, as a table. */
    public static DisplayBinding bindDisplayWidth(int width) {
        return bindDisplay(Display.fixed(width));
    }

    /** The width rows print at on this thread now (at least 40). */
    public static int displayWidth() {
        Display d = DISPLAY.get();
        int w = d == null ? DEFAULT_WIDTH : d.width();
        return Math.max(40, w > 0 ? w : DEFAULT_WIDTH);
    }

    /** The mode rows print in on this thread. */
    public static Mode displayMode() {
        Display d = DISPLAY.get();
        Mode m = d == null ? null : d.mode();
        return m == null ? Mode.TABLE : m;
    }

    /** A printer's hold on the display of one thread; {@link #close} restores the previous one. */
    public static final class DisplayBinding implements AutoCloseable {
        private final Thread thread;
        private final Display previous;

        private DisplayBinding(Thread thread, Display previous) {
            this.thread = thread;
            this.previous = previous;
        }

        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a display is unbound on the thread that bound it (" + thread.getName() + ")");
            }
            if (previous == null) {
                DISPLAY.remove();
            } else {
                DISPLAY.set(previous);
            }
        }
    }

    public List<String> columns() {
        return columns;
    }

    public List<Row> rows() {
        whole("rows()");
        return rows;
    }

    public int size() {
        whole("size()");
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
        whole("its digest");
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

    /** Row {@code i}; of a preview cut short, only the rows it shows. */
    public Row get(int i) {
        if (partial != null && i >= rows.size()) {
            whole("get(" + i + ")");
        }
        return rows.get(i);
    }

    /** Groovy's {@code rows[0]}. */
    public Row getAt(int i) {
        return get(i);
    }

    /** The single cell of a one-column result: null when there is no row. */
    public Object value() {
        if (columns.size() != 1 || rows.size() > 1 || partial != null) {
            throw new SluiceException(ErrorCode.USAGE, "value() needs one column and at most one row; this result has "
                    + columns.size() + " column(s) and " + (partial != null ? "more than " + Format.count(PREVIEW_ROWS) : rows.size())
                    + " row(s). Use get(row).get(column) instead.");
        }
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /** The first column of every row. */
    public List<Object> values() {
        whole("values()");
        List<Object> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(r.get(0)));
        return out;
    }

    @Override
    public Iterator<Row> iterator() {
        whole("iterating it");
        return rows.iterator();
    }

    /** Refuses to read a preview cut short as if it were the whole result. */
    private void whole(String what) {
        if (partial != null) {
            throw new SluiceException(ErrorCode.USAGE, "This result holds only the " + rows.size() + " rows the console showed ("
                    + what + " needs them all): " + partial);
        }
    }

    /** This result as an aligned table at most {@code width} columns wide. */
    public String render(int width) {
        return render(Mode.TABLE, width);
    }

    /** This result in {@code mode}; tables at most {@code width} columns wide. */
    public String render(Mode mode, int width) {
        String footer = partial == null ? null : "first " + rows.size() + " rows shown of more than " + Format.count(PREVIEW_ROWS)
                + "; the rest not counted, as that would read them all";
        return switch (mode) {
            case TABLE, BOX -> TableRenderer.render(columns, rows, DISPLAY_ROWS, Math.max(40, width), mode == Mode.BOX, footer);
            case CSV -> RowsText.csv(columns, rows) + (footer == null ? "" : "\n(" + footer + ")");
            case JSON -> RowsText.json(columns, rows) + (footer == null ? "" : "\n(" + footer + ")");
        };
    }

    @Override
    public String toString() {
        return render(displayMode(), displayWidth());
    }
}
