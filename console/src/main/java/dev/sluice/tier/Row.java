package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One result row: values by position or by column name (case-insensitive). */
public final class Row {
    private final List<String> columns;
    private final Object[] values;

    Row(List<String> columns, Object[] values) {
        this.columns = columns;
        this.values = values;
    }

    public Object get(int index) {
        return values[index];
    }

    public Object get(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equalsIgnoreCase(column)) {
                return values[i];
            }
        }
        throw new SluiceException(ErrorCode.USAGE, "No column '" + column + "' in this row. Columns: " + String.join(", ", columns) + ".");
    }

    /** Groovy's {@code row.name} and {@code row['name']}. */
    public Object getAt(String column) {
        return get(column);
    }

    public Object getProperty(String column) {
        return get(column);
    }

    public List<String> columns() {
        return columns;
    }

    public int size() {
        return values.length;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(columns.get(i), values[i]);
        }
        return m;
    }

    Object[] raw() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && r.columns.equals(columns) && Arrays.deepEquals(r.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
