package dev.sluice.data;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The encoded whole rows of two tables (sides 0 and 1), compared as multisets by sorting both and merging. Rows stay in
 * memory up to {@link #MEMORY_BYTES}; past that everything moves to a scratch SQLite file (no journal, no sync) whose
 * sorter spills to disk, so a diff of tables without a single-column key runs in bounded memory at any size. The
 * scratch file is deleted on {@link #close}.
 */
final class WholeRows implements AutoCloseable {
    /** What the in-memory lists may hold before spilling (both sides together). */
    static final long MEMORY_BYTES = 32L << 20;
    private static final Comparator<byte[]> ORDER = Arrays::compareUnsigned; // SQLite orders BLOBs the same way (memcmp, then length)
    private static final int BATCH = 5_000;

    private final long limit;
    private final List<List<byte[]>> memory = List.of(new ArrayList<>(), new ArrayList<>());
    private long bytes;
    private Path file;
    private Connection spill;
    private final PreparedStatement[] insert = new PreparedStatement[2];
    private final int[] pending = new int[2];

    WholeRows() {
        this(MEMORY_BYTES);
    }

    /** With a smaller limit (tests spill a few rows). */
    WholeRows(long limit) {
        this.limit = limit;
    }

    /** True once the rows went to the scratch file. */
    boolean spilled() {
        return spill != null;
    }

    void add(int side, byte[] row) {
        try {
            if (spill == null) {
                memory.get(side).add(row);
                bytes += row.length + 16L;
                if (bytes > limit) {
                    openSpill();
                }
            } else {
                put(side, row);
            }
        } catch (SQLException | IOException e) {
            throw new SluiceException(ErrorCode.IO, "diff: cannot write its scratch file " + file + " (" + e.getMessage()
                    + "). Free space in " + tmp() + " (or point java.io.tmpdir elsewhere; SQLite's sort files go to TMPDIR).", e);
        }
    }

    /** Calls {@code only} for each row (with multiplicity) found on one side and not the other, in row order. */
    void merge(OnlyIn only) {
        try {
            if (spill == null) {
                List<byte[]> a = memory.get(0);
                List<byte[]> b = memory.get(1);
                a.sort(ORDER);
                b.sort(ORDER);
                mergeSorted(new ListCursor(a), new ListCursor(b), only);
                return;
            }
            for (int side = 0; side < 2; side++) {
                if (pending[side] > 0) {
                    insert[side].executeBatch();
                }
            }
            spill.commit();
            try (PreparedStatement pa = spill.prepareStatement("SELECT r FROM s0 ORDER BY r");
                 PreparedStatement pb = spill.prepareStatement("SELECT r FROM s1 ORDER BY r");
                 ResultSet ra = pa.executeQuery(); ResultSet rb = pb.executeQuery()) {
                mergeSorted(new ResultCursor(ra), new ResultCursor(rb), only);
            }
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.IO, "diff: reading its scratch file " + file + " failed (" + e.getMessage() + ").", e);
        }
    }

    /** One row only on {@code side} (0: the first table, 1: the second). */
    interface OnlyIn {
        void row(int side, byte[] row);
    }

    private interface Cursor {
        byte[] next() throws SQLException;
    }

    private record ListCursor(List<byte[]> rows, int[] at) implements Cursor {
        ListCursor(List<byte[]> rows) {
            this(rows, new int[1]);
        }

        @Override
        public byte[] next() {
            return at[0] < rows.size() ? rows.get(at[0]++) : null;
        }
    }

    private record ResultCursor(ResultSet rs) implements Cursor {
        @Override
        public byte[] next() throws SQLException {
            return rs.next() ? rs.getBytes(1) : null;
        }
    }

    private static void mergeSorted(Cursor a, Cursor b, OnlyIn only) throws SQLException {
        byte[] x = a.next();
        byte[] y = b.next();
        while (x != null || y != null) {
            int c = x == null ? 1 : y == null ? -1 : ORDER.compare(x, y);
            if (c < 0) {
                only.row(0, x);
                x = a.next();
            } else if (c > 0) {
                only.row(1, y);
                y = b.next();
            } else {
                x = a.next();
                y = b.next();
            }
        }
    }

    private void openSpill() throws SQLException, IOException {
        file = Files.createTempFile(tmp(), "sluice-diff-", ".db");
        spill = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement st = spill.createStatement()) {
            st.execute("PRAGMA journal_mode = OFF");
            st.execute("PRAGMA synchronous = OFF");
            st.execute("PRAGMA temp_store = FILE");
            st.execute("PRAGMA cache_size = -8000");
            st.execute("CREATE TABLE s0 (r BLOB)");
            st.execute("CREATE TABLE s1 (r BLOB)");
        }
        spill.setAutoCommit(false);
        for (int side = 0; side < 2; side++) {
            insert[side] = spill.prepareStatement("INSERT INTO s" + side + " (r) VALUES (?)");
            for (byte[] row : memory.get(side)) {
                put(side, row);
            }
            memory.get(side).clear();
        }
        bytes = 0;
    }

    private void put(int side, byte[] row) throws SQLException {
        insert[side].setBytes(1, row);
        insert[side].addBatch();
        if (++pending[side] == BATCH) {
            insert[side].executeBatch();
            pending[side] = 0;
        }
    }

    private static Path tmp() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public void close() {
        try {
            if (spill != null) {
                spill.close();
            }
        } catch (SQLException e) {
            // closing anyway; the file goes below
        }
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
