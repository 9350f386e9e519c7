package dev.sluice.data;

import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Column;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import org.sqlite.Function;

/**
 * Order-independent segment hashes for diff, computed inside the database where it can be done engine-independently:
 * each row hashes to the first 8 bytes of SHA-256 over its checksum encoding (Checksummer), a segment to its row count
 * and the wrapping 64-bit sum of its row hashes (data-diff's scheme). SQLite runs a Java aggregate registered on the
 * connection; PostgreSQL builds the same bytes in SQL (int8send, float8send, convert_to, sha256); other engines, or
 * PostgreSQL columns of other types, are hashed client-side from streamed rows. All three give identical values.
 */
final class RowHash {
    static final String SQLITE_FUNCTION = "sluice_rowhash";
    private static final Map<Connection, Boolean> REGISTERED = new WeakHashMap<>();

    record Segment(long rows, long sum) {
        String hex() {
            return String.format(Locale.ROOT, "%016x", sum);
        }
    }

    private RowHash() {
    }

    static long of(Checksummer enc, MessageDigest md, Object[] row) {
        return ofBytes(md, enc.rowBytes(row));
    }

    static long ofBytes(MessageDigest md, byte[] encoded) {
        md.reset();
        byte[] d = md.digest(encoded);
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    /** Rows and hash sum of {@code table} where {@code where} holds (with {@code args}); also counts client-read rows. */
    static Segment segment(Tier t, String table, List<Column> cols, String where, List<Object> args, long[] rowsRead) {
        String w = where == null ? "" : " WHERE " + where;
        if (t.engine() == Engine.SQLITE) {
            register(TierInternals.connection(t));
            String sql = "SELECT count(*), " + SQLITE_FUNCTION + "(" + list(cols) + ") FROM " + Identifiers.quote(table) + w;
            return query(t, sql, args);
        }
        if (t.engine() == Engine.POSTGRESQL) {
            List<String> exprs = new ArrayList<>();
            for (Column c : cols) {
                String e = postgresValue(c);
                if (e == null) {
                    return clientSide(t, table, cols, w, args, rowsRead);
                }
                exprs.add(e);
            }
            String row = "('x' || substr(encode(sha256(" + String.join(" || ", exprs) + "), 'hex'), 1, 16))::bit(64)::bigint";
            String sql = "SELECT count(*), coalesce(sum(" + row + "::numeric), 0) FROM " + Identifiers.quote(table) + w;
            return query(t, sql, args);
        }
        return clientSide(t, table, cols, w, args, rowsRead);
    }

    private static Segment query(Tier t, String sql, List<Object> args) {
        try (PreparedStatement ps = TierInternals.connection(t).prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Object sum = rs.getObject(2);
                long s = sum == null ? 0 : sum instanceof java.math.BigDecimal bd ? bd.toBigInteger().longValue() : ((Number) sum).longValue();
                return new Segment(rs.getLong(1), s);
            }
        } catch (SQLException e) {
            throw TierInternals.fail(t, e, sql);
        }
    }

    private static Segment clientSide(Tier t, String table, List<Column> cols, String w, List<Object> args, long[] rowsRead) {
        String sql = "SELECT " + list(cols) + " FROM " + Identifiers.quote(table) + w;
        Checksummer enc = new Checksummer(t);
        MessageDigest md = TableCopy.sha256();
        long[] acc = new long[2];
        t.each(sql, args, r -> {
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            acc[0]++;
            acc[1] += of(enc, md, v);
        });
        rowsRead[0] += acc[0];
        return new Segment(acc[0], acc[1]);
    }

    private static String list(List<Column> cols) {
        return String.join(", ", cols.stream().map(c -> Identifiers.quote(c.name())).toList());
    }

    /** The checksum encoding of one PostgreSQL value as a bytea expression, or null for types it does not cover. */
    static String postgresValue(Column c) {
        String q = Identifiers.quote(c.name());
        String t = c.type() == null ? "" : c.type().toLowerCase(Locale.ROOT);
        String e;
        switch (t) {
            case "int2", "int4", "int8", "serial", "bigserial", "smallserial", "oid" ->
                    e = "'\\x49'::bytea || int8send(" + q + "::int8)";
            case "bool" -> e = "'\\x49'::bytea || int8send(" + q + "::int::int8)";
            case "float4", "float8" -> e = "'\\x52'::bytea || float8send(CASE WHEN " + q + " = 0 THEN 0::float8 ELSE " + q + "::float8 END)";
            case "numeric" -> e = "CASE WHEN " + q + " = trunc(" + q + ") AND " + q + " BETWEEN -9223372036854775808 AND 9223372036854775807"
                    + " THEN '\\x49'::bytea || int8send(" + q + "::int8) ELSE '\\x52'::bytea || float8send(" + q + "::float8) END";
            case "bytea" -> e = "'\\x42'::bytea || int4send(length(" + q + ")) || " + q;
            case "text", "varchar", "name", "citext" ->
                    e = "'\\x54'::bytea || int4send(octet_length(convert_to(" + q + ", 'UTF8'))) || convert_to(" + q + ", 'UTF8')";
            default -> e = null;
        }
        return e == null ? null : "coalesce(" + e + ", '\\x4e'::bytea)";
    }

    private static synchronized void register(Connection c) {
        if (REGISTERED.containsKey(c)) {
            return;
        }
        try {
            Function.create(c, SQLITE_FUNCTION, new SqliteAggregate());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot register " + SQLITE_FUNCTION + ": " + e.getMessage(), e);
        }
        REGISTERED.put(c, true);
    }

    /** The SQLite side: typed values straight from the VM, encoded as the JDBC objects Checksummer sees would be. */
    static final class SqliteAggregate extends Function.Aggregate {
        private Checksummer enc = new Checksummer(null);
        private MessageDigest md = TableCopy.sha256();
        private long sum;
        private Object[] row;

        @Override
        protected void xStep() throws SQLException {
            int n = args();
            if (row == null || row.length != n) {
                row = new Object[n];
            }
            for (int i = 0; i < n; i++) {
                row[i] = switch (value_type(i)) {
                    case 1 -> value_long(i);
                    case 2 -> value_double(i);
                    case 3 -> value_text(i);
                    case 4 -> {
                        byte[] b = value_blob(i);
                        yield b == null ? new byte[0] : b;
                    }
                    default -> null;
                };
            }
            sum += of(enc, md, row);
        }

        @Override
        protected void xFinal() throws SQLException {
            result(sum);
            sum = 0;
        }

        @Override
        public Object clone() throws CloneNotSupportedException {
            SqliteAggregate c = (SqliteAggregate) super.clone(); // keeps the native context fields the driver set
            c.enc = new Checksummer(null);
            c.md = TableCopy.sha256();
            c.sum = 0;
            c.row = null;
            return c;
        }
    }
}
