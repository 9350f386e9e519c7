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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * A keyed diff by reading both tables ordered by key, each on its own connection and thread, and merging the two
 * streams row by row, rows compared in the checksum encoding (so equal means what an equal checksum means). Memory is a
 * few batches per side whatever the table size; the cost is one read of each side, like the two checksums it replaces,
 * without the hashing. SQLite rows are read straight from the statement by storage class (no per-value objects), as the
 * checksum reads them; other engines through JDBC, streamed with a cursor.
 */
final class StreamedMerge {
    private static final int BATCH = 1_000;
    private static final int QUEUED = 8;
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

    /** Returns the rows read on both sides; {@code progress} hears the larger side's rows so far (calling thread only). */
    static long[] run(TableRef a, List<Column> colsA, String keyA, TableRef b, List<Column> colsB, String keyB, boolean textKey,
                      Found found, java.util.function.LongConsumer progress) {
        Side sa = new Side(a, colsA, keyA, textKey);
        Side sb = new Side(b, colsB, keyB, textKey);
        sa.start();
        sb.start();
        long ra = 0;
        long rb = 0;
        try {
            Row x = sa.next();
            Row y = sb.next();
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
        return new long[]{ra, rb};
    }

    /** One table read by key on a thread of its own into a small queue of batches. */
    private static final class Side {
        private final TableRef t;
        private final List<Column> cols;
        private final String key;
        private final boolean textKey;
        private final BlockingQueue<List<Row>> queue = new ArrayBlockingQueue<>(QUEUED);
        private volatile boolean stopped;
        private volatile RuntimeException failure;
        private Thread thread;
        private List<Row> batch = List.of();
        private int at;

        Side(TableRef t, List<Column> cols, String key, boolean textKey) {
            this.t = t;
            this.cols = cols;
            this.key = key;
            this.textKey = textKey;
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
            try {
                while (!stopped && !queue.offer(rows, 100, TimeUnit.MILLISECONDS)) {
                    // the merge is behind; wait
                }
            } catch (InterruptedException e) {
                stopped = true;
            }
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
            List<Row> rows = new ArrayList<>(BATCH);
            while (!stopped && rs.next()) {
                for (int i = 0; i < n; i++) {
                    v[i] = rs.getObject(i + 1);
                }
                Object key = v[k] instanceof Integer || v[k] instanceof Short ? (Object) ((Number) v[k]).longValue() : v[k];
                rows.add(new Row(key, enc.rowBytes(v)));
                if (rows.size() == BATCH) {
                    checkCancel(cancels);
                    put(rows);
                    rows = new ArrayList<>(BATCH);
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
            List<Row> rows = new ArrayList<>(BATCH);
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
                if (rows.size() == BATCH) {
                    checkCancel(cancels);
                    put(rows);
                    rows = new ArrayList<>(BATCH);
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
