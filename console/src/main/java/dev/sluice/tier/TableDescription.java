package dev.sluice.tier;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code tier.describe(table)} found, as psql's {@code \d} shows it: the columns (type as the engine states it,
 * nullability, default), the primary key, the indexes, foreign keys, check constraints and triggers, each as the
 * engine defines it. Prints as psql does; a section the engine's catalogue cannot tell is named in {@code unknown}.
 */
public record TableDescription(String tier, String table, String engine, List<Column> columns, List<String> primaryKey,
                               List<Part> indexes, List<Part> foreignKeys, List<Part> checks, List<Part> triggers,
                               List<String> unknown) {
    public TableDescription {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        indexes = List.copyOf(indexes);
        foreignKeys = List.copyOf(foreignKeys);
        checks = List.copyOf(checks);
        triggers = List.copyOf(triggers);
        unknown = List.copyOf(unknown);
    }

    /** One index, constraint or trigger: its name (null when the engine keeps none) and its definition. */
    public record Part(String name, String definition) {
        @Override
        public String toString() {
            return (name == null ? "" : "\"" + name + "\" ") + definition;
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Table ").append(tier).append('.').append(table).append(" (").append(engine).append(")\n");
        List<Object[]> cells = new ArrayList<>();
        for (Column c : columns) {
            cells.add(new Object[]{c.name(), c.type() == null ? "" : c.type(), c.notNull() ? "not null" : "",
                    c.defaultValue() == null ? "" : c.defaultValue()});
        }
        List<String> header = List.of("Column", "Type", "Nullable", "Default");
        String grid = TableRenderer.render(header, new Rows(header, cells).rows(), Integer.MAX_VALUE, Rows.displayWidth());
        sb.append(grid, 0, grid.lastIndexOf('\n')).append('\n'); // the row count says nothing here
        sb.append("Primary key: ").append(primaryKey.isEmpty() ? "none" : "(" + String.join(", ", primaryKey) + ")").append('\n');
        section(sb, "Indexes", indexes);
        section(sb, "Foreign-key constraints", foreignKeys);
        section(sb, "Check constraints", checks);
        section(sb, "Triggers", triggers);
        for (String u : unknown) {
            sb.append(u).append(": not in this engine's catalogue as JDBC reads it\n");
        }
        return sb.toString().stripTrailing();
    }

    private static void section(StringBuilder sb, String title, List<Part> parts) {
        if (!parts.isEmpty()) {
            sb.append(title).append(":\n");
            parts.forEach(p -> sb.append("    ").append(p).append('\n'));
        }
    }
}
