package dev.sluice.tier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;

/**
 * Rows as data rather than a picture, for {@code /mode csv} and {@code /mode json}: every row held, values whole (not
 * cut, new lines kept), NULL as an empty CSV field or JSON null, a BLOB as its bytes in hex.
 */
final class RowsText {
    private static final JsonFactory JSON = new JsonFactory();

    private RowsText() {
    }

    /** RFC 4180: a header record, then one record per row, CRLF between records; a field is quoted when it must be. */
    static String csv(List<String> columns, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        record(sb, columns.toArray());
        for (Row r : rows) {
            sb.append("\r\n");
            record(sb, r.raw());
        }
        return sb.toString();
    }

    private static void record(StringBuilder sb, Object[] values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object v = values[i];
            String s = v == null ? "" : v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString();
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                sb.append('"').append(s.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(s);
            }
        }
    }

    /** A JSON array, one object per row on its own line (as sqlite3's {@code .mode json}); numbers stay numbers. */
    static String json(List<String> columns, List<Row> rows) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null); // the objects are the array's, separated below, not root values
            g.writeRaw('[');
            for (int r = 0; r < rows.size(); r++) {
                g.writeRaw(r == 0 ? "\n" : ",\n");
                g.writeStartObject();
                Object[] raw = rows.get(r).raw();
                for (int c = 0; c < columns.size(); c++) {
                    g.writeFieldName(columns.get(c)); // a repeated column name is repeated, as the result has it
                    value(g, raw[c]);
                }
                g.writeEndObject();
            }
            g.writeRaw(rows.isEmpty() ? "]" : "\n]");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(Double.toString(d)); // JSON has no NaN or Infinity
            }
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof byte[] b) {
            g.writeString(HexFormat.of().formatHex(b));
        } else {
            g.writeString(v.toString());
        }
    }
}
