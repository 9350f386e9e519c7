package dev.sluice.tier;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite checksum read by two threads at once, for big tables: the key range is cut into segments read alternately
 * by reader A (the tier's own connection) and reader B (a second, read-only connection), each encoding into its own
 * bounded queue of recycled chunk buffers, while the calling thread hashes segment 0 from A, segment 1 from B, segment 2
 * from A… strictly in key order. The SHA-256 stream is byte for byte the single reader's, so the checksum is the same;
 * memory is the two pools of buffers, whatever the table size.
 *
 * <p><b>Snapshot consistency.</b> Both readers must see the same rows. In a rollback-journal mode (delete, truncate,
 * persist) a connection holding a SHARED lock keeps every other connection from committing: a commit needs EXCLUSIVE.
 * So A opens a read transaction first ({@code BEGIN}, then reads the key bounds, which takes SHARED); only then does B
 * (on its own thread, while A reads its first segment) open its connection, begin its own and read the bounds again.
 * From A's first read to the end no commit can land, so both see the same state (B's bounds are compared with A's as a
 * check). B waits for nothing ({@code busy_timeout} 0): if it cannot get SHARED because a writer already holds PENDING,
 * the attempt is abandoned, whatever was hashed is dropped, and the caller starts over with the single reader (which
 * waits for the writer like any reader). Not taken, and the single reader runs
 * instead, when the two could see different rows or it would not pay: WAL (another connection may commit between the
 * two snapshots), a transaction open on the tier's connection (its uncommitted rows are visible to that connection
 * only), a temp table, an order key that is not the rowid (only a single {@code INTEGER PRIMARY KEY} keeps the single
 * reader's order and splits into integer ranges), or fewer than {@code minKeys} keys.
 *
 * <p>Both transactions end, both threads are joined and B's connection is closed on every path. A reader's error
 * surfaces as the single reader's would ({@link Tier#fail}), with no partial result. Connection-local state other than
 * the tier's configured pragmas (for example a {@code PRAGMA case_sensitive_like} run by hand) is not copied to B; a
 * {@code where} that depends on it should be checksummed with {@code -Dsluice.checksum.readers=1}.
 */
final class SegmentedChecksum {
    private LongConsumer rowsRead;
    /** Chunk buffers per reader (2 MB): a segment fits in its reader's pool, so both readers run ahead of the hasher. */
    private static final int POOL = 8;
    private static final int MAX_SEGMENTS = 1024;
    /** Smallest possible stored row (cell pointer, sizes, rowid): a file smaller than minKeys rows of it cannot hold them. */
    private static final int MIN_ROW_BYTES = 6;

    private final Tier tier;
    /** Ctrl-C interrupts the statement running on the tier's connection; between segments (or on B's) this catches it. */
    private final long cancelsAtStart;
    private final String table;
    private final List<String> columns;
    private final String where;
    private final Object[] args;
    private final long minKeys;
    private final long segmentKeys;
    private String skipped;
    private Runnable beforeSecondReader = () -> { };

    SegmentedChecksum(Tier tier, String table, List<String> columns, String where, Object[] args, long minKeys, long segmentKeys) {
        this.tier = tier;
        this.cancelsAtStart = tier.cancels();
        this.table = table;
        this.columns = columns;
        this.where = where;
        this.args = args;
        this.minKeys = minKeys;
        this.segmentKeys = segmentKeys;
    }

    /** Tests: runs after A holds its read lock and before B asks for its own (a writer can be made to wait there). */
    SegmentedChecksum beforeSecondReader(Runnable hook) {
        this.beforeSecondReader = hook;
        return this;
    }

    /** Rows read by both readers go to {@code rows} (see {@link Checksummer#reportingRows}). */
    SegmentedChecksum reportingRows(LongConsumer rows) {
        this.rowsRead = rows;
        return this;
    }

    /** Why the last {@link #run} returned null (the caller then reads with one thread), else null. */
    String skipped() {
        return skipped;
    }

    private Checksum skip(String why) {
        skipped = why;
        return null;
    }

    /**
     * The checksum read by two threads, or null when that is not safe or not worth it here ({@link #skipped} says why);
     * nothing of a dropped attempt is kept. {@code sql} is the single reader's SELECT, named in errors.
     */
    Checksum run(String sql) throws SQLException {
        Connection a = tier.connection();
        if (tier.inTransaction() || !a.getAutoCommit()) {
            return skip("a transaction is open on the tier");
        }
        String key = rowidKey();
        if (key == null) {
            return skip("the order key is not the rowid");
        }
        String file = mainFile(a);
        if (file == null || file.isEmpty()) {
            return skip("not a database file");
        }
        // Two subqueries: SQLite answers a lone min() or max() of the rowid from one end of the b-tree, but both in
        // one SELECT with a scan of the whole table.
        String bounds = "SELECT (SELECT min(" + key + ") FROM " + Identifiers.quote(table) + "), (SELECT max(" + key + ") FROM "
                + Identifiers.quote(table) + ")";
        try (Statement st = a.createStatement()) {
            st.execute("BEGIN");
        } catch (SQLException e) {
            return skip("a transaction is open on the tier"); // one opened by hand with exec("BEGIN")
        }
        Reader ra = null;
        Reader rb = null;
        try {
            long[] range;
            try {
                range = bounds(a, bounds); // A's first read: SHARED from here until its COMMIT
            } catch (SQLException e) {
                if (busy(e)) {
                    throw tier.fail(e, sql); // the single reader would wait and fail the same way
                }
                return skip("bounds: " + e.getMessage());
            }
            String mode = journalMode(a);
            if (!mode.equals("delete") && !mode.equals("truncate") && !mode.equals("persist")) {
                return skip("journal_mode " + mode);
            }
            if (range == null) {
                return skip("empty table");
            }
            long keys;
            try {
                keys = Math.addExact(Math.subtractExact(range[1], range[0]), 1);
            } catch (ArithmeticException e) {
                return skip("key range overflows");
            }
            if (keys < minKeys || pageBytes(a) / MIN_ROW_BYTES < minKeys) {
                return skip("small table");
            }
            long span = Math.max(segmentKeys, keys / MAX_SEGMENTS + 1);
            int segments = (int) ((keys - 1) / span + 1);
            String segmentSql = new Checksummer(tier).orderedSelect(table, columns,
                    (where == null || where.isBlank() ? "" : "(" + where + "\n) AND ")
                            + key + " BETWEEN ?" + (args.length + 1) + " AND ?" + (args.length + 2));
            PreparedStatement pa;
            try {
                pa = a.prepareStatement(segmentSql);
            } catch (SQLException e) {
                return skip("segment select: " + e.getMessage());
            }
            ra = new Reader(0, range, span, segments);
            ra.ps = pa;
            ra.connection = a;
            // B opens its connection on its own thread, while A reads its first segment (opening costs tens of ms in a
            // fresh JVM). Safe: A holds SHARED already, so no commit can land before B's read; if B cannot read, the
            // hasher drops everything hashed so far and the single reader starts over.
            rb = new Reader(1, range, span, segments);
            rb.opening = new String[]{file, bounds, segmentSql};
            beforeSecondReader.run();
            skipped = null;
            return hash(ra, rb, segments, sql);
        } catch (FallBack f) {
            return skip(f.getMessage());
        } finally {
            stop(ra, rb);
            closeQuietly(ra);
            closeQuietly(rb);
            if (rb != null && rb.connection != null) {
                try {
                    rb.connection.close(); // ends B's read transaction
                } catch (SQLException e) {
                    // Going away whatever happens.
                }
            }
            endRead(a, sql);
        }
    }

    /** The calling thread hashes the readers' chunks in segment order. */
    private Checksum hash(Reader ra, Reader rb, int segments, String sql) {
        ra.start();
        rb.start();
        MessageDigest md = Checksummer.sha256();
        Reader[] readers = {ra, rb};
        try {
            for (int seg = 0; seg < segments; seg++) {
                Reader r = readers[seg & 1];
                while (true) {
                    Object o = r.full.poll(20, TimeUnit.MILLISECONDS);
                    if (o == null) {
                        failed(ra, sql);
                        failed(rb, sql);
                        if (rb.fallback != null) {
                            throw new FallBack(rb.fallback);
                        }
                        if (!r.thread.isAlive() && r.full.isEmpty()) {
                            throw new IllegalStateException("checksum reader " + r.parity + " ended before segment " + seg);
                        }
                        continue;
                    }
                    if (o instanceof SegmentEnd end) {
                        if (end.segment != seg) {
                            throw new IllegalStateException("checksum segment " + end.segment + " came when " + seg + " was due");
                        }
                        break;
                    }
                    Chunk c = (Chunk) o;
                    md.update(c.bytes, 0, c.length);
                    r.free.offer(c.bytes);
                }
            }
            ra.thread.join();
            rb.thread.join();
            failed(ra, sql);
            failed(rb, sql);
            if (rb.fallback != null) {
                throw new FallBack(rb.fallback);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("checksum interrupted", e);
        }
        return new Checksum(ra.rows + rb.rows, HexFormat.of().formatHex(md.digest()));
    }

    private void failed(Reader r, String sql) {
        Throwable t = r.failure;
        if (t instanceof SQLException e) {
            throw tier.fail(e, sql);
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException("checksum reader failed: " + t, t);
        }
    }

    /** Stops both readers (no-op when they are done) and waits for them: no thread outlives the checksum. */
    private static void stop(Reader... readers) {
        for (Reader r : readers) {
            if (r != null) {
                r.stopped = true;
                if (r.thread.isAlive()) {
                    r.thread.interrupt(); // wakes it from a queue wait
                    try {
                        if (r.connection instanceof SQLiteConnection c) {
                            c.getDatabase().interrupt(); // and from a long step
                        }
                    } catch (SQLException e) {
                        // Nothing running any more.
                    }
                }
            }
        }
        boolean interrupted = false;
        for (Reader r : readers) {
            while (r != null && r.thread.isAlive()) {
                try {
                    r.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Reader r) {
        if (r != null && r.ps != null) {
            try {
                r.ps.close();
            } catch (SQLException e) {
                // Closing: the statement is going away whatever happens.
            }
        }
    }

    /**
     * Ends A's read transaction on the tier's connection. COMMIT, not ROLLBACK: it wrote nothing either way, and a
     * COMMIT leaves any other statement the caller still has open on this connection reading.
     */
    private void endRead(Connection a, String sql) {
        try (Statement st = a.createStatement()) {
            st.execute("COMMIT");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                throw tier.fail(e, "COMMIT after " + sql);
            }
        }
    }

    /** The quoted order key when it is the rowid (a single INTEGER PRIMARY KEY of a rowid table), else null. */
    private String rowidKey() throws SQLException {
        List<Column> key = tier.columns(table).stream().filter(c -> c.pk() > 0).toList();
        if (key.size() != 1 || key.get(0).type() == null || !key.get(0).type().equalsIgnoreCase("INTEGER")) {
            return null;
        }
        Connection a = tier.connection();
        // A WITHOUT ROWID table, or INTEGER PRIMARY KEY DESC, keeps its key in an index of origin 'pk': not the rowid,
        // so it may hold text or reals. A temp table (or one shadowing a main table) is not visible to a second connection;
        // temp is only looked into when this connection already has it (reading temp.sqlite_schema would create it).
        try (PreparedStatement ps = a.prepareStatement("SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    return null;
                }
            }
        }
        if (hasTemp(a)) {
            try (PreparedStatement ps = a.prepareStatement("SELECT count(*) FROM temp.sqlite_schema WHERE name = ? COLLATE NOCASE")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getInt(1) != 0) {
                        return null;
                    }
                }
            }
        }
        try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("PRAGMA main.index_list(" + Identifiers.quote(table) + ")")) {
            while (rs.next()) {
                if ("pk".equals(rs.getString("origin"))) {
                    return null;
                }
            }
        }
        return Identifiers.quote(key.get(0).name());
    }

    private static boolean hasTemp(Connection a) throws SQLException {
        try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
            while (rs.next()) {
                if ("temp".equals(rs.getString("name"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String mainFile(Connection a) throws SQLException {
        try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
            while (rs.next()) {
                if ("main".equals(rs.getString("name"))) {
                    return rs.getString("file");
                }
            }
        }
        return null;
    }

    private static long[] bounds(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next() || rs.getObject(1) == null) {
                return null;
            }
            return new long[]{rs.getLong(1), rs.getLong(2)};
        }
    }

    private static String journalMode(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            return rs.next() ? String.valueOf(rs.getString(1)).toLowerCase(Locale.ROOT) : "";
        }
    }

    private static long pageBytes(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static boolean busy(SQLException e) {
        // Extended codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT…) keep the primary code in the low byte.
        int primary = e instanceof SQLiteException se ? se.getResultCode().code & 0xff : -1;
        return primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
    }

    /** B: the same file with the same native library, read-only, failing at once rather than waiting for a lock. */
    private Connection openReadOnly(String file) throws SQLException {
        SQLiteConfig sc = new SQLiteConfig();
        Tier.noMutex(sc);
        sc.setReadOnly(true);
        sc.setBusyTimeout(0);
        Connection c = sc.createConnection("jdbc:sqlite:" + file);
        try (Statement st = c.createStatement()) {
            // The tier's own pragmas (as Tier applies them), so a where clause evaluates alike on both connections.
            for (var e : tier.config().pragmas().entrySet()) {
                String k = e.getKey();
                if (k.equals("foreign_keys") || k.equals("busy_timeout") || k.equalsIgnoreCase("journal_mode")
                        || !k.matches("[A-Za-z_]+") || !e.getValue().matches("[A-Za-z0-9_-]+")) {
                    continue;
                }
                st.execute("PRAGMA " + k + " = " + e.getValue());
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private record Chunk(byte[] bytes, int length) {
    }

    private record SegmentEnd(int segment) {
    }

    /** B could not read the same rows (a writer waiting for the lock, another state): the single reader starts over. */
    private static final class FallBack extends RuntimeException {
        FallBack(String why) {
            super(why, null, false, false);
        }
    }

    /** Thrown inside a reader when the checksum is being abandoned. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    /** One reading thread: segments parity, parity + 2, … of the key range, each followed by its end marker. */
    private final class Reader implements Checksummer.ChunkSink {
        final int parity;
        /** B only: the file, the bounds SELECT and the segment SELECT it opens its connection with. */
        volatile String[] opening;
        volatile Connection connection;
        volatile PreparedStatement ps;
        /** B only: why it could not join A's snapshot (then nothing it read counts). */
        volatile String fallback;
        final long min;
        final long max;
        final long span;
        final int segments;
        final BlockingQueue<Object> full = new ArrayBlockingQueue<>(POOL + 4);
        final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(POOL);
        final Thread thread;
        final Checksummer enc = new Checksummer(tier);
        volatile boolean stopped;
        volatile Throwable failure;
        long rows;

        Reader(int parity, long[] range, long span, int segments) {
            this.parity = parity;
            this.min = range[0];
            this.max = range[1];
            this.span = span;
            this.segments = segments;
            enc.rowsRead = rowsRead;
            for (int i = 0; i < POOL - 1; i++) {
                free.add(new byte[ChunkHasher.CHUNK + 8192]);
            }
            thread = new Thread(this::run, "sluice-checksum-reader-" + (char) ('a' + parity));
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                if (opening != null && !join()) {
                    return;
                }
                enc.startBuffer(new byte[ChunkHasher.CHUNK + 8192]);
                for (int i = 0; i < args.length; i++) {
                    Checksummer.bindOne(ps, i + 1, args[i]);
                }
                for (int seg = parity; seg < segments && !stopped; seg += 2) {
                    if (tier.cancels() != cancelsAtStart) {
                        throw new org.sqlite.SQLiteException("[SQLITE_INTERRUPT] cancelled", org.sqlite.SQLiteErrorCode.SQLITE_INTERRUPT);
                    }
                    // span * seg < keys, so neither bound overflows (min + keys - 1 == max).
                    long lo = min + span * seg;
                    long hi = seg == segments - 1 ? max : lo + span - 1;
                    ps.setLong(args.length + 1, lo);
                    ps.setLong(args.length + 2, hi);
                    try (ResultSet rs = ps.executeQuery()) {
                        rows += enc.encodeRows(ps, rs, this);
                    }
                    if (enc.length() > 0) {
                        enc.startBuffer(submit(enc.buffer(), enc.length()));
                    }
                    put(new SegmentEnd(seg));
                }
            } catch (Stopped e) {
                // Abandoned by the hasher, which reports why.
            } catch (Throwable t) {
                failure = stopped ? null : t;
            }
        }

        /** B's start: its own read-only connection in A's snapshot, or a {@link #fallback} reason and false. */
        private boolean join() {
            try {
                Connection c = openReadOnly(opening[0]);
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("BEGIN");
                }
                long[] again = bounds(c, opening[1]); // B's SHARED; no commit can land while A holds its own
                if (again == null || again[0] != min || again[1] != max) {
                    fallback = "the second connection sees other rows";
                    return false;
                }
                ps = c.prepareStatement(opening[2]);
                return true;
            } catch (SQLException e) {
                fallback = busy(e) ? "a writer is waiting for the lock" : "second connection: " + e.getMessage();
                return false;
            }
        }

        @Override
        public byte[] submit(byte[] buf, int len) {
            put(new Chunk(buf, len));
            try {
                return free.take();
            } catch (InterruptedException e) {
                throw new Stopped();
            }
        }

        private void put(Object o) {
            if (stopped) {
                throw new Stopped();
            }
            try {
                full.put(o);
            } catch (InterruptedException e) {
                throw new Stopped();
            }
        }
    }
}
