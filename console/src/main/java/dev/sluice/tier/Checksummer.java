package dev.sluice.tier;

import dev.sluice.workspace.Engine;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The engine-independent table checksum. Each value is a type tag and canonical bytes (README.md, "Checksums"):
 * {@code N} for NULL; {@code I} + 8-byte big-endian two's complement for integers and booleans; {@code R} + the 8 IEEE-754
 * bytes of the double for reals (floats widened, NaN canonical, -0.0 as 0.0); {@code T} + 4-byte length + UTF-8 for text
 * (and any other type, by its text form); {@code B} + 4-byte length + bytes for blobs. Rows are hashed in primary-key order,
 * or by every selected column when there is no primary key, text ordered by bytes (BINARY / COLLATE "C"), NULLs first.
 */
public final class Checksummer {
    private final Tier tier;
    private byte[] buf = new byte[8192];
    private int len;

    public Checksummer(Tier tier) {
        this.tier = tier;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        sql.append(" FROM ").append(Identifiers.quote(table));
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

    public Checksum checksum(String table, List<String> columns, String where, Object... args) {
        String sql = orderedSelect(table, columns, where);
        MessageDigest md = sha256();
        long rows = 0;
        try (PreparedStatement ps = tier.connection().prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    len = 0;
                    for (int i = 1; i <= n; i++) {
                        encode(rs.getObject(i));
                    }
                    md.update(buf, 0, len);
                    rows++;
                }
            }
        } catch (SQLException e) {
            throw tier.fail(e, sql);
        }
        return new Checksum(rows, HexFormat.of().formatHex(md.digest()));
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
        } else if (v instanceof BigInteger bi && bi.bitLength() < 64) {
            putLong('I', bi.longValue());
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

    private void putReal(double d) {
        if (Double.isNaN(d)) {
            d = Double.NaN;
        } else if (d == 0.0) {
            d = 0.0;
        }
        putLong('R', Double.doubleToLongBits(d));
    }

    private void putLong(char tag, long x) {
        ensure(9);
        buf[len++] = (byte) tag;
        for (int s = 56; s >= 0; s -= 8) {
            buf[len++] = (byte) (x >>> s);
        }
    }

    private void putBytes(char tag, byte[] b) {
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
