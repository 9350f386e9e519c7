package dev.sluice.tier;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * The current row of a SQLite result read as SQLite holds it: each value's storage class and its raw bytes, without the
 * driver's String decoding and boxing (the hot loop of a copy reads millions of values). Text comes as the stored UTF-8
 * bytes, which is why {@link #of} says no for a database in another encoding. Valid while the statement is open and
 * positioned on a row ({@code rs.next()} true).
 */
public final class SqliteRaw {
    public static final int INTEGER = 1;
    public static final int FLOAT = 2;
    public static final int TEXT = 3;
    public static final int BLOB = 4;
    public static final int NULL = 5;

    private final DB db;
    private final long stmt;

    private SqliteRaw(DB db, long stmt) {
        this.db = db;
        this.stmt = stmt;
    }

    /** A raw reader for {@code ps}, already executed; null when it is not a SQLite statement on a UTF-8 database. */
    public static SqliteRaw of(PreparedStatement ps) throws SQLException {
        if (!(ps instanceof CoreStatement cs) || !(ps.getConnection() instanceof SQLiteConnection c) || !utf8(c)) {
            return null;
        }
        return new SqliteRaw(cs.getDatabase(), cs.pointer.safeRunLong((d, p) -> p));
    }

    private static boolean utf8(SQLiteConnection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA encoding")) {
            return rs.next() && "UTF-8".equalsIgnoreCase(rs.getString(1));
        }
    }

    /** The storage class of column {@code i} (0-based): {@link #INTEGER}, {@link #FLOAT}, {@link #TEXT}, {@link #BLOB}, {@link #NULL}. */
    public int type(int i) throws SQLException {
        return db.column_type(stmt, i);
    }

    public long integer(int i) throws SQLException {
        return db.column_long(stmt, i);
    }

    public double real(int i) throws SQLException {
        return db.column_double(stmt, i);
    }

    /** Text (UTF-8) or blob bytes; null for a zero-length value. */
    public byte[] bytes(int i) throws SQLException {
        return db.column_blob(stmt, i);
    }
}
