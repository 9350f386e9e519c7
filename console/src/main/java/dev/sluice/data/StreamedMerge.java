package dev.sluice.data;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * A keyed diff by reading both tables ordered by key, each on its own connection and thread, and merging the two
 * streams row by row, rows compared in the checksum encoding (so equal means what an equal checksum means). Memory is
 * bounded in bytes per side ({@link #QUEUE_BYTES}: batches of up to {@link #BATCH} rows, at least one row each) whatever
 * the table or row size; the cost is one read of each side, like the two checksums it replaces, without the hashing.
 * SQLite rows are read straight from the statement by storage class (no per-value objects), as the checksum reads them;
 * other engines through JDBC, streamed with a cursor.
 *
 * <p>NULL keys (a SQLite rowid table whose key is not exactly INTEGER PRIMARY KEY can hold several) come first in
 * SQLite's order; they identify no row, so those rows are compared as a multiset of whole rows (held in memory: they
 * are expected to be few), the unmatched ones paired up as changed and the rest listed as removed or added.
 */
final class StreamedMerge {
    private static final int BATCH = 1_000;
    /** Batches per side's budget: a batch is cut at {@code budget / QUEUED} bytes. */
    private static final int QUEUED = 8;
    /** Bytes of encoded rows one side may hold queued and in the merge's hands (tests lower it). */
    static final long QUEUE_BYTES = 8L << 20;
    private static final List<Row> END = new ArrayList<>();

    /** One row: its key (Long, String or the driver's object) and its checksum encoding. */
    record Row(Object key, byte[] bytes) {
    }

    /** Where the merge reports each difference: 0 removed (only in a), 1 changed, 2 added (only in b). */
    interface Found {
        void add(int kind, Object key);
    }

    private StreamedMerge() {
    }

    /**
     * Returns the rows read on both sides and the most bytes each side held at once ({@code [rowsA, rowsB, peakA,
     * peakB]}); {@code progress} hears the larger side's rows so far (calling thread only). {@code textKeyA/B}: order
     * that side's key by bytes (its own declared type decides: a collation on a number is refused by PostgreSQL).
     */
    static long[] run(TableRef a, List<Column> colsA, String keyA, boolean textKeyA, TableRef b, List<Column> colsB, String keyB,
                      boolean textKeyB, Found found, java.util.function.LongConsumer progress, long queueBytes) {
        Side sa = new Side(a, colsA, keyA, textKeyA, queueBytes);
        Side sb = new Side(b, colsB, keyB, textKeyB, queueBytes);
        sa.start();
        sb.start();
        long ra = 0;
        long rb = 0;
        try {
            Row x = sa.next();
            Row y = sb.next();
            // NULL keys come first (SQLite's order); they identify nothing: compared as whole rows.
            List<byte[]> nullA = new ArrayList<>();
            List<byte[]> nullB = new ArrayList<>();
            while (x != null && x.key() == null) {
                nullA.add(x.bytes());
                x = sa.next();
                ra++;
            }
            while (y != null && y.key() == null) {
                nullB.add(y.bytes());
                y = sb.next();
                rb++;
            }
            nullKeyRows(nullA, nullB, found);
            long tick = 0;
            while (x != null || y != null) {
                int c = x == null ? 1 : y == null ? -1 : TableDiff.compareKeys(x.key(), y.key());
                if (c < 0) {
                    found.add(0, x.key());
                    x = sa.next();
                    ra++;
                } else if (c > 0) {
                    found.add(2, y.key());
                    y = sb.next();
                    rb++;
                } else {
                    if (!Arrays.equals(x.bytes(), y.bytes())) {
                        found.add(1, x.key());
                    }
                    x = sa.next();
                    y = sb.next();
                    ra++;
                    rb++;
                }
                if (++tick % 8192 == 0 && progress != null) {
                    progress.accept(Math.max(ra, rb));
                }
            }
        } finally {
            sa.stop();
            sb.stop();
        }
        return new long[]{ra, rb, sa.peak, sb.peak};
    }

    /**
     * Rows with a NULL key on both sides compared as multisets of whole rows: identical rows match; of the rest, as many
     * as pair up are one changed (NULL) key each, the others removed or added.
     */
    static void nullKeyRows(List<byte[]> a, List<byte[]> b, Found found) {
        if (a.isEmpty() && b.isEmpty()) {
            return;
        }
        a.sort(Arrays::compareUnsigned);
        b.sort(Arrays::compareUnsigned);
        int i = 0;
        int j = 0;
        long onlyA = 0;
        long onlyB = 0;
        while (i < a.size() || j < b.size()) {
            int c = i == a.size() ? 1 : j == b.size() ? -1 : Arrays.compareUnsigned(a.get(i), b.get(j));
            if (c < 0) {
                onlyA++;
                i++;
            } else if (c > 0) {
                onlyB++;
                j++;
            } else {
                i++;
                j++;
            }
        }
        long paired = Math.min(onlyA, onlyB);
        for (long n = 0; n < paired; n++) {
            found.add(1, null);
        }
        for (long n = paired; n < onlyA; n++) {
            found.add(0, null);
        }
        for (long n = paired; n < onlyB; n++) {
            found.add(2, null);
        }
    }

    /** One table read by key on a thread of its own into a small queue of batches. */
    private static final class Side {
        private final TableRef t;
        private final List<Column> cols;
        private final String key;
        private final boolean textKey;
        /** Batches in order; their bytes are bounded by {@link #room}, not by their number. */
        private final BlockingQueue<List<Row>> queue = new LinkedBlockingQueue<>();
        /** Bytes (capped at the budget per batch) a batch may still take: taken by the reader, given back by the merge. */
        private final Semaphore room;
        private final int budget;
        private final long batchBytes;
        private final AtomicLong held = new AtomicLong();
        /** The most bytes of rows this side held at once (queued plus the batch being merged). */
        volatile long peak;
        private volatile boolean stopped;
        private volatile RuntimeException failure;
        private Thread thread;
        private List<Row> batch = List.of();
        private int at;

        Side(TableRef t, List<Column> cols, String key, boolean textKey, long queueBytes) {
            this.t = t;
            this.cols = cols;
            this.key = key;
            this.textKey = textKey;
            this.budget = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queueBytes));
            this.batchBytes = Math.max(1, budget / QUEUED);
            this.room = new Semaphore(budget);
        }

        private static long bytes(List<Row> rows) {
            long n = 0;
            for (Row r : rows) {
                n += r.bytes().length;
            }
            return n;
        }

        private int permits(List<Row> rows) {
            return (int) Math.min(budget, Math.max(1, bytes(rows)));
        }

        void start() {
            thread = new Thread(this::read, "sluice-diff-" + t.tier().name());
            thread.setDaemon(true);
            thread.start();
        }

        Row next() {
            if (at < batch.size()) {
                return batch.get(at++);
            }
            if (batch == END) {
                return null;
            }
            if (!batch.isEmpty()) { // the merged batch is let go (its last row too): its room goes back to the reader
                held.addAndGet(-bytes(batch));
                room.release(permits(batch));
                batch = List.of();
            }
            try {
                batch = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.CANCELLED, "diff of " + t + " interrupted.");
            }
            at = 0;
            if (batch == END) {
                if (failure != null) {
                    throw failure;
                }
                return null;
            }
            return batch.get(at++);
        }

        /** Stops the reader (when the merge ends early, on failure) and waits for it: the connection is free again. */
        void stop() {
            stopped = true;
            queue.clear();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void put(List<Row> rows) {
            if (rows == END) {
                queue.offer(END);
                return;
            }
            try {
                int p = permits(rows);
                while (!stopped && !room.tryAcquire(p, 100, TimeUnit.MILLISECONDS)) {
                    // the merge is behind; wait
                }
                if (stopped) {
                    return;
                }
                long now = held.addAndGet(bytes(rows));
                if (now > peak) {
                    peak = now;
                }
                queue.offer(rows);
            } catch (InterruptedException e) {
                stopped = true;
            }
        }

        /** A batch is full at {@link #BATCH} rows or its share of the byte budget (one row at least). */
        private boolean full(List<Row> rows, long bytes) {
            return rows.size() >= BATCH || bytes >= batchBytes;
        }

        private String sql() {
            String k = Identifiers.quote(key);
            String order = !textKey ? k : t.tier().engine() == Engine.POSTGRESQL ? k + " COLLATE \"C\"" : k + " COLLATE BINARY";
            return "SELECT " + String.join(", ", cols.stream().map(c -> Identifiers.quote(c.name())).toList()) + " FROM "
                    + t.tier().qualified(t.name()) + " ORDER BY " + order;
        }

        private int keyIndex() {
            for (int i = 0; i < cols.size(); i++) {
                if (cols.get(i).name().equals(key)) {
                    return i;
                }
            }
            throw new IllegalStateException(key);
        }

        private void read() {
            Tier tier = t.tier();
            String sql = sql();
            long cancels = TierInternals.cancels(tier);
            Connection c = TierInternals.connection(tier);
            try {
                boolean ownTransaction = tier.engine() == Engine.POSTGRESQL && c.getAutoCommit();
                if (ownTransaction) {
                    c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
                }
                try (PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                    ps.setFetchSize(5_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (ps instanceof CoreStatement cs) {
                            readSqlite(cs, rs, cancels);
                        } else {
                            readJdbc(rs, cancels);
                        }
                    }
                } finally {
                    if (ownTransaction) {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                }
            } catch (SQLException e) {
                failure = TierInternals.fail(tier, e, sql);
            } catch (RuntimeException e) {
                failure = e;
            }
            if (failure != null || stopped) {
                queue.clear(); // room for the end marker: the merge stops at it (and throws the failure)
                queue.offer(END);
            } else {
                put(END);
            }
        }

        private void checkCancel(long cancels) {
            if (TierInternals.cancels(t.tier()) != cancels) {
                throw new SluiceException(ErrorCode.CANCELLED, "diff cancelled while reading " + t + ".");
            }
        }

        private void readJdbc(ResultSet rs, long cancels) throws SQLException {
            int n = cols.size();
            int k = keyIndex();
            Checksummer enc = new Checksummer(t.tier());
            Object[] v = new Object[n];
            List<Row> rows = new ArrayList<>();
            long size = 0;
            while (!stopped && rs.next()) {
                for (int i = 0; i < n; i++) {
                    v[i] = rs.getObject(i + 1);
                }
                Object key = v[k] instanceof Integer || v[k] instanceof Short ? (Object) ((Number) v[k]).longValue() : v[k];
                byte[] bytes = enc.rowBytes(v);
                rows.add(new Row(key, bytes));
                size += bytes.length;
                if (full(rows, size)) {
                    checkCancel(cancels);
                    put(rows);
                    rows = new ArrayList<>();
                    size = 0;
                }
            }
            if (!rows.isEmpty() && !stopped) {
                put(rows);
            }
        }

        /** Values by storage class straight from the statement, encoded as Checksummer encodes them. */
        private void readSqlite(CoreStatement cs, ResultSet rs, long cancels) throws SQLException {
            DB db = cs.getDatabase();
            long stmt = cs.pointer.safeRunLong((d, p) -> p);
            int n = cols.size();
            int k = keyIndex();
            Encoder enc = new Encoder();
            List<Row> rows = new ArrayList<>();
            long size = 0;
            while (!stopped && rs.next()) {
                enc.len = 0;
                Object keyValue = null;
                for (int i = 0; i < n; i++) {
                    switch (db.column_type(stmt, i)) {
                        case 1 -> {
                            long x = db.column_long(stmt, i);
                            enc.putLong('I', x);
                            if (i == k) {
                                keyValue = x;
                            }
                        }
                        case 2 -> {
                            double d = db.column_double(stmt, i);
                            enc.putReal(d);
                            if (i == k) {
                                keyValue = d;
                            }
                        }
                        case 3 -> {
                            byte[] b = db.column_blob(stmt, i);
                            enc.putBytes('T', b);
                            if (i == k) {
                                keyValue = b == null ? "" : new String(b, StandardCharsets.UTF_8);
                            }
                        }
                        case 4 -> {
                            byte[] b = db.column_blob(stmt, i);
                            enc.putBytes('B', b);
                            if (i == k) {
                                keyValue = b == null ? new byte[0] : b;
                            }
                        }
                        default -> enc.nul();
                    }
                }
                rows.add(new Row(keyValue, Arrays.copyOf(enc.buf, enc.len)));
                size += enc.len;
                if (full(rows, size)) {
                    checkCancel(cancels);
                    put(rows);
                    rows = new ArrayList<>();
                    size = 0;
                }
            }
            if (!rows.isEmpty() && !stopped) {
                put(rows);
            }
        }
    }

    /** The checksum encoding (Checksummer) of raw SQLite values; one per reading thread. */
    static final class Encoder {
        byte[] buf = new byte[512];
        int len;

        void nul() {
            ensure(1);
            buf[len++] = 'N';
        }

        void putReal(double d) {
            if (Double.isNaN(d)) {
                d = Double.NaN;
            } else if (d == 0.0) {
                d = 0.0;
            }
            putLong('R', Double.doubleToLongBits(d));
        }

        void putLong(char tag, long x) {
            ensure(9);
            buf[len++] = (byte) tag;
            for (int s = 56; s >= 0; s -= 8) {
                buf[len++] = (byte) (x >>> s);
            }
        }

        void putBytes(char tag, byte[] b) {
            int n = b == null ? 0 : b.length; // sqlite3_column_blob gives no pointer for a zero-length value
            ensure(5 + n);
            buf[len++] = (byte) tag;
            buf[len++] = (byte) (n >>> 24);
            buf[len++] = (byte) (n >>> 16);
            buf[len++] = (byte) (n >>> 8);
            buf[len++] = (byte) n;
            if (n > 0) {
                System.arraycopy(b, 0, buf, len, n);
            }
            len += n;
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }
    }
}
