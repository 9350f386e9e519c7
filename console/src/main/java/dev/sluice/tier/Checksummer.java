package dev.sluice.tier;

import dev.sluice.encoding.Sha256;
import dev.sluice.workspace.Engine;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * The engine-independent table checksum. Each value is a type tag and canonical bytes (README.md, "Checksums"):
 * {@code N} for NULL; {@code I} + 8-byte big-endian two's complement for integers and booleans; {@code R} + the 8 IEEE-754
 * bytes of the double for reals (floats widened, NaN canonical, -0.0 as 0.0); {@code T} + 4-byte length + UTF-8 for text
 * (and any other type, by its text form); {@code B} + 4-byte length + bytes for blobs. Rows are hashed in primary-key order,
 * or by every selected column when there is no primary key, text ordered by bytes (BINARY / COLLATE "C"), NULLs first.
 */
public final class Checksummer {
    private static final byte[] EMPTY = new byte[0];
    private final Tier tier;
    private static final int SQLITE_INTEGER = 1;
    private static final int SQLITE_FLOAT = 2;
    private static final int SQLITE_TEXT = 3;
    private static final int SQLITE_BLOB = 4;
    /** Rows per round trip where the driver streams (PostgreSQL): memory stays flat whatever the table size. */
    private static final int FETCH_ROWS = 5_000;
    /** Set to 1 to keep every checksum on one reading thread (an escape hatch, and the "before" of a benchmark). */
    static final String READERS_PROPERTY = "sluice.checksum.readers";
    /** Key range (max - min + 1) from which a SQLite checksum is read by two threads ({@link SegmentedChecksum}). */
    static final long PARALLEL_MIN_KEYS = 50_000;
    /**
     * Keys per segment: about 1.2 MB of encoded rows at the bench table's 280 bytes a row, so a whole segment fits its
     * reader's 2 MB pool and each reader runs a segment ahead of the hasher. (8,192 and 16,384 keys with larger pools
     * measured no faster.)
     */
    static final long SEGMENT_KEYS = 4_096;
    private byte[] buf = new byte[256];
    private int len;
    private long parallelMinKeys = PARALLEL_MIN_KEYS;
    private long segmentKeys = SEGMENT_KEYS;
    private String route;
    private Runnable beforeSecondReader = () -> { };
    /** Hears rows read, a chunk (about 1 MB of encoded rows) at a time, from any reader thread; null: nobody. */
    LongConsumer rowsRead;

    public Checksummer(Tier tier) {
        this.tier = tier;
    }

    /**
     * Reports rows as they are read (for a caller's progress): {@code rows} hears how many more, once per chunk of
     * encoded rows and at the end, possibly from two reader threads at once, so it must be thread-safe. A read that falls
     * back to one reader may report some rows twice: callers cap at their total.
     */
    public Checksummer reportingRows(LongConsumer rows) {
        this.rowsRead = rows;
        return this;
    }

    static MessageDigest sha256() {
        return Sha256.digest();
    }

    /** The SELECT a checksum reads: the chosen columns in key order. Exposed so diff and copy read the same order. */
    public String orderedSelect(String table, List<String> columns, String where) {
        List<Column> all = tier.columns(table);
        List<Column> chosen = new ArrayList<>();
        if (columns == null || columns.isEmpty()) {
            chosen.addAll(all);
        } else {
            for (String c : columns) {
                chosen.add(all.stream().filter(x -> x.name().equalsIgnoreCase(c)).findFirst().orElseThrow(() ->
                        new dev.sluice.error.SluiceException(dev.sluice.error.ErrorCode.USAGE, "Tier '" + tier.name() + "': table '"
                                + table + "' has no column '" + c + "'. Columns: "
                                + String.join(", ", all.stream().map(Column::name).toList()) + ".")));
            }
        }
        List<Column> key = all.stream().filter(c -> c.pk() > 0).sorted(java.util.Comparator.comparingInt(Column::pk)).toList();
        if (key.isEmpty()) {
            key = chosen;
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < chosen.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Identifiers.quote(chosen.get(i).name()));
        }
        sql.append(" FROM ").append(tier.qualified(table));
        if (where != null && !where.isBlank()) {
            sql.append(" WHERE ").append(where);
        }
        sql.append(" ORDER BY ");
        for (int i = 0; i < key.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(orderTerm(key.get(i)));
        }
        return sql.toString();
    }

    private String orderTerm(Column c) {
        String q = Identifiers.quote(c.name());
        String type = c.type() == null ? "" : c.type().toUpperCase(Locale.ROOT);
        boolean texty = type.contains("CHAR") || type.contains("TEXT") || type.contains("CLOB") || type.equals("NAME");
        if (tier.engine() == Engine.POSTGRESQL) {
            return q + (texty ? " COLLATE \"C\"" : "") + " NULLS FIRST";
        }
        if (tier.engine() == Engine.SQLITE) {
            return q + (texty ? " COLLATE BINARY" : "");
        }
        return q;
    }

    /** Tests: the smallest key range read by two threads, and the keys per segment (tiny tables, many segments). */
    Checksummer parallel(long minKeys, long keysPerSegment) {
        this.parallelMinKeys = minKeys;
        this.segmentKeys = keysPerSegment;
        return this;
    }

    /** Tests: see {@link SegmentedChecksum#beforeSecondReader}. */
    Checksummer beforeSecondReader(Runnable hook) {
        this.beforeSecondReader = hook;
        return this;
    }

    /** How the last checksum was read: "two readers", or "one reader" with the reason (tests assert the path taken). */
    String route() {
        return route;
    }

    public Checksum checksum(String table, List<String> columns, String where, Object... args) {
        String sql = orderedSelect(table, columns, where);
        if (where != null && !where.isBlank()) {
            tier.guard("checksum", sql); // the WHERE clause is the caller's own SQL
        }
        try {
            if (tier.connection() instanceof SQLiteConnection sc && utf8(sc)) {
                if ("1".equals(System.getProperty(READERS_PROPERTY))) {
                    route = "one reader: " + READERS_PROPERTY + "=1";
                } else {
                    SegmentedChecksum two = new SegmentedChecksum(tier, table, columns, where, args, parallelMinKeys, segmentKeys)
                            .beforeSecondReader(beforeSecondReader).reportingRows(rowsRead);
                    Checksum c = two.run(sql);
                    if (c != null) {
                        route = "two readers";
                        return c;
                    }
                    route = "one reader: " + two.skipped();
                }
                return sqliteChecksum(sql, args);
            }
            route = "one reader: not SQLite";
            return jdbcChecksum(sql, args);
        } catch (SQLException e) {
            throw tier.fail(e, sql);
        }
    }

    /** sqlite3_column_blob hands TEXT over as its stored bytes; that is the encoding's UTF-8 only in a UTF-8 database. */
    private static boolean utf8(SQLiteConnection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA encoding")) {
            return rs.next() && "UTF-8".equalsIgnoreCase(rs.getString(1));
        }
    }

    /**
     * The SQLite path, built for speed (DESIGN.md §10: no slower than {@code sqlite3 … | sha256sum}): reads each value's
     * storage class and raw bytes straight from the statement (no String decoding, no boxing), encodes into one reused
     * buffer and hands it in large chunks to a second thread for SHA-256 ({@link ChunkHasher}). Big tables try
     * {@link SegmentedChecksum} (two reading threads) first; this single reader is what it falls back to.
     */
    private Checksum sqliteChecksum(String sql, Object[] args) throws SQLException {
        long rows;
        String sha;
        try (ChunkHasher hasher = new ChunkHasher(); PreparedStatement ps = tier.connection().prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                buf = hasher.firstBuffer();
                len = 0;
                rows = encodeRows(ps, rs, hasher);
                sha = hasher.finish(buf, len);
            }
        }
        return new Checksum(rows, sha);
    }

    /** Where full chunks of encoded rows go: the SHA-256 thread, or a segment reader's queue. */
    interface ChunkSink {
        /** Takes a filled buffer and returns an empty one to fill next. */
        byte[] submit(byte[] buf, int len);
    }

    /**
     * Encodes every row of an executed SQLite statement into {@link #buf}, handing each full chunk to {@code sink}; the
     * last partial chunk stays in {@code buf}/{@code len} for the caller. Returns the number of rows.
     */
    long encodeRows(PreparedStatement ps, ResultSet rs, ChunkSink sink) throws SQLException {
        CoreStatement cs = (CoreStatement) ps;
        DB db = cs.getDatabase();
        // The raw statement handle stays valid while ps is open (the caller holds it); reading through it directly
        // saves the driver's per-value checks and lambdas, which cost more than the values themselves.
        long stmt = cs.pointer.safeRunLong((d, p) -> p);
        int n = rs.getMetaData().getColumnCount();
        long rows = 0;
        long reported = 0;
        while (rs.next()) {
            for (int i = 0; i < n; i++) {
                switch (db.column_type(stmt, i)) {
                    case SQLITE_INTEGER -> putLong('I', db.column_long(stmt, i));
                    case SQLITE_FLOAT -> putReal(db.column_double(stmt, i));
                    case SQLITE_TEXT -> putBytes('T', db.column_blob(stmt, i));
                    case SQLITE_BLOB -> putBytes('B', db.column_blob(stmt, i));
                    default -> {
                        ensure(1);
                        buf[len++] = 'N';
                    }
                }
            }
            rows++;
            if (len >= ChunkHasher.CHUNK) {
                buf = sink.submit(buf, len);
                len = 0;
                if (rowsRead != null) {
                    rowsRead.accept(rows - reported);
                    reported = rows;
                }
            }
        }
        if (rowsRead != null && rows > reported) {
            rowsRead.accept(rows - reported);
        }
        return rows;
    }

    /** The reader's current buffer and fill, for {@link SegmentedChecksum} which hands buffers between threads. */
    void startBuffer(byte[] b) {
        buf = b;
        len = 0;
    }

    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }

    /**
     * Any other JDBC database. PostgreSQL streams with a fetch size only inside a transaction, so one is opened (read
     * only in effect: nothing is written) and closed again when the caller had none; memory stays flat.
     */
    private Checksum jdbcChecksum(String sql, Object[] args) throws SQLException {
        long rows = 0;
        long reported = 0;
        String sha;
        Connection c = tier.connection();
        boolean ownTransaction = c.getAutoCommit();
        if (ownTransaction) {
            c.setAutoCommit(false);
        }
        try (ChunkHasher hasher = new ChunkHasher();
             PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            bind(ps, args);
            ps.setFetchSize(FETCH_ROWS);
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                buf = hasher.firstBuffer();
                len = 0;
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        encode(rs.getObject(i));
                    }
                    rows++;
                    if (len >= ChunkHasher.CHUNK) {
                        buf = hasher.submit(buf, len);
                        len = 0;
                        if (rowsRead != null) {
                            rowsRead.accept(rows - reported);
                            reported = rows;
                        }
                    }
                }
                if (rowsRead != null && rows > reported) {
                    rowsRead.accept(rows - reported);
                }
                sha = hasher.finish(buf, len);
            }
        } finally {
            if (ownTransaction) {
                try {
                    c.rollback();
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
        return new Checksum(rows, sha);
    }

    /** Binds WHERE arguments as Tier does: text-like values (Groovy GStrings too) as strings. */
    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            bindOne(ps, i + 1, args[i]);
        }
    }

    static void bindOne(PreparedStatement ps, int index, Object arg) throws SQLException {
        if (arg instanceof CharSequence cs) {
            ps.setString(index, cs.toString());
        } else {
            ps.setObject(index, arg);
        }
    }

    /** Appends one value's canonical encoding to the row buffer. */
    void encode(Object v) {
        if (v == null) {
            ensure(1);
            buf[len++] = 'N';
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            putLong('I', ((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            putLong('I', b ? 1 : 0);
        } else if (v instanceof Double || v instanceof Float) {
            putReal(((Number) v).doubleValue());
        } else if (v instanceof BigInteger bi) {
            // Beyond 64 bits SQLite keeps a number as REAL; hash it the same way, as BigDecimal does below.
            if (bi.bitLength() < 64) {
                putLong('I', bi.longValue());
            } else {
                putReal(bi.doubleValue());
            }
        } else if (v instanceof BigDecimal bd) {
            BigDecimal s = bd.stripTrailingZeros();
            if (s.scale() <= 0 && s.toBigInteger().bitLength() < 64) {
                putLong('I', s.longValueExact());
            } else {
                putReal(bd.doubleValue());
            }
        } else if (v instanceof byte[] b) {
            putBytes('B', b);
        } else {
            putBytes('T', v.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Appends one value (any JDBC type) to the current buffer. */
    void put(Object v) {
        encode(v);
    }

    /** One value's encoding on its own (tests check the README's table against it). */
    byte[] encodeForTest(Object v) {
        len = 0;
        encode(v);
        return java.util.Arrays.copyOf(buf, len);
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
        if (b == null) {
            b = EMPTY; // sqlite3_column_blob gives no pointer for a zero-length value
        }
        ensure(5 + b.length);
        buf[len++] = (byte) tag;
        int n = b.length;
        buf[len++] = (byte) (n >>> 24);
        buf[len++] = (byte) (n >>> 16);
        buf[len++] = (byte) (n >>> 8);
        buf[len++] = (byte) n;
        System.arraycopy(b, 0, buf, len, n);
        len += n;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    /**
     * The canonical bytes of one row in this checksum's encoding. Copy and diff hash rows with these, so a row they
     * stream hashes exactly as {@link #checksum} hashes it. Reuses this instance's buffer: one instance per thread.
     */
    public byte[] rowBytes(Object... values) {
        len = 0;
        for (Object v : values) {
            encode(v);
        }
        return java.util.Arrays.copyOf(buf, len);
    }

    /** Feeds one row, encoded as {@link #checksum} does, to {@code md} (streaming copies checksum the source as they read it). */
    public void update(MessageDigest md, Object... values) {
        len = 0;
        for (Object v : values) {
            encode(v);
        }
        md.update(buf, 0, len);
    }

    /** {@link #rowBytes} for one-off use. */
    public static byte[] encodeRow(Object... values) {
        return new Checksummer(null).rowBytes(values);
    }
}
