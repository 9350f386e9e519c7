package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one tier holds, read from its catalogue: tables, columns, keys, indexes, CREATE statements and row counts
 * (SQLite's schema table and pragmas, or JDBC metadata on other engines), with the refusal of an unknown table.
 */
final class TierCatalogue {
    private final Tier tier;
    private final Engine engine;
    private final TierConnection conn;
    private final TierStatements statements;
    private final TierListeners listeners;

    TierCatalogue(Tier tier, TierConnection conn, TierStatements statements, TierListeners listeners) {
        this.tier = tier;
        this.engine = tier.engine();
        this.conn = conn;
        this.statements = statements;
        this.listeners = listeners;
    }


    /** User tables, sorted by name (SQLite's internal sqlite_* tables left out). */
    List<String> tables() {
        if (engine == Engine.SQLITE) {
            List<String> out = new ArrayList<>();
            statements.scan("SELECT name FROM " + conn.qualified("sqlite_schema") + " WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                    List.of(), r -> out.add((String) r.get(0)));
            return out;
        }
        try (ResultSet rs = conn.connection().getMetaData().getTables(null, conn.connection().getSchema(), "%", new String[]{"TABLE"})) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString("TABLE_NAME"));
            }
            out.sort(null);
            return out;
        } catch (SQLException e) {
            throw tier.fail(e, "tables()");
        }
    }

    /**
     * The tables that hold the tier's data: {@link #tables()} without Sluice's own bookkeeping ({@code sluice_history},
     * {@code sluice_lock}, … — every {@code sluice_*} table), so that counts and fingerprints never read bookkeeping as a
     * change of data.
     */
    List<String> dataTables() {
        return tables().stream().filter(t -> !t.startsWith("sluice_")).toList();
    }

    boolean hasTable(String table) {
        if (engine == Engine.SQLITE) {
            return statements.ask("SELECT count(*) FROM " + conn.qualified("sqlite_schema") + " WHERE type IN ('table','view') AND name = ?", table).value() instanceof Number n
                    && n.longValue() > 0;
        }
        try (ResultSet rs = conn.connection().getMetaData().getTables(null, conn.connection().getSchema(), table, new String[]{"TABLE", "VIEW"})) {
            return rs.next();
        } catch (SQLException e) {
            throw tier.fail(e, "hasTable(" + table + ")");
        }
    }

    boolean hasColumn(String table, String column) {
        return columns(table).stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }

    boolean hasIndex(String index) {
        if (engine == Engine.SQLITE) {
            return ((Number) statements.ask("SELECT count(*) FROM " + conn.qualified("sqlite_schema") + " WHERE type = 'index' AND name = ?", index).value()).longValue() > 0;
        }
        return tables().stream().flatMap(t -> indexes(t).stream()).anyMatch(i -> i.name().equals(index));
    }

    /** Columns of a table in declaration order; refuses an unknown table. */
    List<Column> columns(String table) {
        requireTable(table);
        List<Column> out = new ArrayList<>();
        if (engine == Engine.SQLITE) {
            statements.scan("SELECT name, type, \"notnull\", dflt_value, pk FROM " + conn.pragmaFunction("pragma_table_info"), conn.pragmaArgs(table), r -> out.add(new Column(
                    (String) r.get(0), (String) r.get(1), ((Number) r.get(2)).intValue() != 0, (String) r.get(3), ((Number) r.get(4)).intValue())));
            return out;
        }
        try {
            DatabaseMetaData md = conn.connection().getMetaData();
            Map<String, Integer> pk = new LinkedHashMap<>();
            try (ResultSet rs = md.getPrimaryKeys(null, conn.connection().getSchema(), table)) {
                while (rs.next()) {
                    pk.put(rs.getString("COLUMN_NAME"), rs.getInt("KEY_SEQ"));
                }
            }
            try (ResultSet rs = md.getColumns(null, conn.connection().getSchema(), table, "%")) {
                while (rs.next()) {
                    String name = rs.getString("COLUMN_NAME");
                    out.add(new Column(name, rs.getString("TYPE_NAME"), rs.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls,
                            rs.getString("COLUMN_DEF"), pk.getOrDefault(name, 0)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw tier.fail(e, "columns(" + table + ")");
        }
    }

    /** The primary key columns in key order; empty when the table has none. */
    List<String> primaryKey(String table) {
        List<Column> pk = new ArrayList<>(columns(table).stream().filter(c -> c.pk() > 0).toList());
        pk.sort(java.util.Comparator.comparingInt(Column::pk));
        return pk.stream().map(Column::name).toList();
    }

    List<Index> indexes(String table) {
        requireTable(table);
        List<Index> out = new ArrayList<>();
        if (engine == Engine.SQLITE) {
            Rows list = statements.ask("SELECT name, \"unique\", partial FROM " + conn.pragmaFunction("pragma_index_list") + " ORDER BY name",
                    conn.pragmaArgs(table).toArray());
            for (Row r : list) {
                String name = (String) r.get(0);
                List<String> cols = new ArrayList<>();
                statements.scan("SELECT name FROM " + conn.pragmaFunction("pragma_index_info") + " ORDER BY seqno", conn.pragmaArgs(name), c -> cols.add(String.valueOf(c.get(0))));
                String where = null;
                if (((Number) r.get(2)).intValue() != 0) {
                    Object sql = statements.ask("SELECT sql FROM " + conn.qualified("sqlite_schema") + " WHERE type='index' AND name=?", name).value();
                    if (sql != null) {
                        int w = sql.toString().toUpperCase(java.util.Locale.ROOT).lastIndexOf(" WHERE ");
                        where = w < 0 ? null : sql.toString().substring(w + 7).trim();
                    }
                }
                out.add(new Index(name, table, cols, ((Number) r.get(1)).intValue() != 0, where));
            }
            return out;
        }
        try (ResultSet rs = conn.connection().getMetaData().getIndexInfo(null, conn.connection().getSchema(), table, false, false)) {
            Map<String, Index> byName = new LinkedHashMap<>();
            while (rs.next()) {
                String name = rs.getString("INDEX_NAME");
                if (name == null) {
                    continue;
                }
                Index prev = byName.get(name);
                List<String> cols = prev == null ? new ArrayList<>() : new ArrayList<>(prev.columns());
                cols.add(rs.getString("COLUMN_NAME"));
                byName.put(name, new Index(name, table, cols, !rs.getBoolean("NON_UNIQUE"), rs.getString("FILTER_CONDITION")));
            }
            out.addAll(byName.values());
            return out;
        } catch (SQLException e) {
            throw tier.fail(e, "indexes(" + table + ")");
        }
    }

    /** The CREATE statements of a table, its indexes and triggers (SQLite), or a CREATE TABLE rebuilt from the catalogue. */
    String schema(String table) {
        requireTable(table);
        if (engine == Engine.SQLITE) {
            StringBuilder sb = new StringBuilder();
            statements.scan("SELECT sql FROM " + conn.qualified("sqlite_schema") + " WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type = 'table' DESC, name",
                    List.of(table), r -> sb.append(r.get(0)).append(";\n"));
            return sb.toString().trim();
        }
        StringBuilder sb = new StringBuilder("CREATE TABLE " + Identifiers.quote(table) + " (\n");
        List<Column> cols = columns(table);
        for (int i = 0; i < cols.size(); i++) {
            Column c = cols.get(i);
            sb.append("  ").append(Identifiers.quote(c.name())).append(' ').append(c.type()).append(c.notNull() ? " NOT NULL" : "")
                    .append(c.defaultValue() == null ? "" : " DEFAULT " + c.defaultValue()).append(i + 1 < cols.size() ? ",\n" : "\n");
        }
        List<String> pk = primaryKey(table);
        if (!pk.isEmpty()) {
            sb.setLength(sb.length() - 1);
            sb.append(",\n  PRIMARY KEY (").append(String.join(", ", pk.stream().map(Identifiers::quote).toList())).append(")\n");
        }
        return sb.append(");").toString();
    }

    long count(String table) {
        return count(table, null);
    }

    /** Rows in a table, optionally only those matching a WHERE clause (with bound arguments). */
    long count(String table, String where, Object... args) {
        requireTable(table);
        boolean filtered = where != null && !where.isBlank();
        String sql = "SELECT count(*) FROM " + conn.qualified(table) + (filtered ? " WHERE " + where : "");
        if (filtered) {
            conn.guard("count", sql); // the WHERE clause is the caller's own SQL
        }
        long n = ((Number) statements.ask(sql, args).value()).longValue();
        List<Object> a = new ArrayList<>();
        a.add(table);
        if (where != null) {
            a.add(where);
            a.addAll(java.util.Arrays.asList(args));
        }
        return listeners.observe("count", a, n);
    }

    /** Row counts of every table. */
    Map<String, Long> counts() {
        return listeners.observe("counts", List.of(), rowCounts());
    }

    /** Rows of every data table, unobserved (counts() and fingerprint() report it each in their own way). */
    Map<String, Long> rowCounts() {
        return rowCounts(() -> false);
    }

    /** As {@link #rowCounts()}, stopping with null before the next table once {@code stop} says so (a cancelled pin). */
    Map<String, Long> rowCounts(java.util.function.BooleanSupplier stop) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String t : dataTables()) {
            if (stop.getAsBoolean()) {
                return null;
            }
            out.put(t, ((Number) statements.ask("SELECT count(*) FROM " + conn.qualified(t)).value()).longValue());
        }
        return out;
    }

    /** A handle on one table of this tier, for calls that take tables (diff, copy) and object-style use. */
    TableRef table(String name) {
        requireTable(name);
        return new TableRef(tier, name);
    }

    void requireTable(String table) {
        if (table == null || !hasTable(table)) {
            List<String> known = tables();
            throw new SluiceException(ErrorCode.NO_SUCH_TABLE, "Tier '" + tier.name() + "' has no table '" + table + "'. "
                    + (known.isEmpty() ? "It has no tables." : "Tables: " + String.join(", ", known.stream().limit(20).toList())
                    + (known.size() > 20 ? ", …" : "") + "."));
        }
    }
}
