package dev.sluice.data;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;

/**
 * Writes rows as CSV straight into a PostgreSQL {@code COPY … FROM STDIN} stream through a 64 KB buffer: constant memory
 * whatever the table size. NULL is an unquoted empty field, every text value is quoted (so '' stays an empty string),
 * blobs go as bytea hex ({@code \x…}), doubles in Java's shortest round-trip form.
 */
final class PgCopyStream implements AutoCloseable {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final CopyIn in;
    private final byte[] buf = new byte[1 << 16];
    private int len;
    private long bytes;

    PgCopyStream(CopyIn in) {
        this.in = in;
    }

    void row(Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                put((byte) ',');
            }
            value(values[i]);
        }
        put((byte) '\n');
    }

    private void value(Object v) throws SQLException {
        if (v == null) {
            return;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            ascii(v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            ascii(Double.toString(((Number) v).doubleValue()));
        } else if (v instanceof BigDecimal bd) {
            ascii(bd.toPlainString());
        } else if (v instanceof Boolean b) {
            put((byte) (b ? 't' : 'f'));
        } else if (v instanceof byte[] b) {
            blob(b);
        } else {
            text(v.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    // Raw values (a SQLite source read by storage class): the same CSV as row() writes for the equivalent Java values.

    /** Between two values of a row. */
    void comma() throws SQLException {
        put((byte) ',');
    }

    void endRow() throws SQLException {
        put((byte) '\n');
    }

    void integer(long v) throws SQLException {
        ascii(Long.toString(v));
    }

    void real(double d) throws SQLException {
        ascii(Double.toString(d));
    }

    /** Text given as UTF-8 bytes (null: empty string), quoted as row() quotes a String. */
    void text(byte[] s) throws SQLException {
        put((byte) '"');
        if (s != null) {
            for (byte x : s) {
                if (x == '"') {
                    put((byte) '"');
                }
                put(x);
            }
        }
        put((byte) '"');
    }

    void blob(byte[] b) throws SQLException {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'x';
        if (b != null) {
            for (byte x : b) {
                ensure(2);
                buf[len++] = HEX[(x >> 4) & 0xf];
                buf[len++] = HEX[x & 0xf];
            }
        }
    }

    private void ascii(String s) throws SQLException {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) throws SQLException {
        if (len == buf.length) {
            flush();
        }
        buf[len++] = b;
    }

    private void ensure(int n) throws SQLException {
        if (len + n > buf.length) {
            flush();
        }
    }

    private void flush() throws SQLException {
        if (len > 0) {
            in.writeToCopy(buf, 0, len);
            bytes += len;
            len = 0;
        }
    }

    /** Sends what is buffered and ends the COPY; returns the rows the server loaded. */
    long finish() throws SQLException {
        flush();
        return in.endCopy();
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        try {
            if (in.isActive()) {
                in.cancelCopy();
            }
        } catch (SQLException e) {
            // The copy failed already; the transaction is rolled back by the caller.
        }
    }
}
