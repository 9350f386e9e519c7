package dev.sluice.tier;

import dev.sluice.workspace.Engine;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one table's full description ({@link TableDescription}) from the engine's own catalogue: SQLite's pragmas and
 * schema table (CHECK constraints, which SQLite keeps only in the CREATE TABLE text, are read from it with
 * {@link SqlLexer}), PostgreSQL's {@code pg_catalog} with its own {@code pg_get_*def} functions (so definitions read as
 * psql prints them), and plain JDBC metadata elsewhere. Also gives PostgreSQL's {@code schema(table)} its indexes,
 * constraints and triggers.
 */
final class TableDescriber {
    private final Tier tier;
    private final TierConnection conn;
    private final TierStatements statements;
    private final TierCatalogue catalogue;

    TableDescriber(Tier tier, TierConnection conn, TierStatements statements, TierCatalogue catalogue) {
        this.tier = tier;
        this.conn = conn;
        this.statements = statements;
        this.catalogue = catalogue;
    }

    TableDescription describe(String table) {
        catalogue.requireTable(table);
        return switch (tier.engine()) {
            case SQLITE -> sqlite(table);
            case POSTGRESQL -> postgres(table);
            case OTHER -> jdbc(table);
        };
    }

    private String label() {
        return tier.engine().label() + " " + tier.engineVersion();
    }

    // ---------------------------------------------------------------- SQLite

    private TableDescription sqlite(String table) {
        List<Column> columns = catalogue.columns(table);
        List<TableDescription.Part> indexes = new ArrayList<>();
        Rows list = statements.ask("SELECT name, \"unique\", origin, partial FROM " + conn.pragmaFunction("pragma_index_list")
                + " ORDER BY origin = 'pk' DESC, name", conn.pragmaArgs(table).toArray());
        for (Row r : list) {
            String name = (String) r.get(0);
            boolean unique = ((Number) r.get(1)).intValue() != 0;
            String origin = (String) r.get(2);
            List<String> keys = new ArrayList<>();
            boolean expression = false;
            for (Row k : statements.ask("SELECT name, \"desc\", cid FROM " + conn.pragmaFunction("pragma_index_xinfo")
                    + " WHERE key = 1 ORDER BY seqno", conn.pragmaArgs(name).toArray())) {
                expression |= ((Number) k.get(2)).intValue() == -2;
                keys.add(k.get(0) + (((Number) k.get(1)).intValue() != 0 ? " DESC" : ""));
            }
            Object sql = statements.ask("SELECT sql FROM " + conn.qualified("sqlite_schema") + " WHERE type = 'index' AND name = ?", name).value();
            String def;
            if (expression && sql != null) {
                def = sql.toString();
            } else {
                def = switch (origin) {
                    case "pk" -> "PRIMARY KEY";
                    case "u" -> "UNIQUE CONSTRAINT";
                    default -> unique ? "UNIQUE" : "";
                };
                def = (def.isEmpty() ? "" : def + " ") + "(" + String.join(", ", keys) + ")";
                if (((Number) r.get(3)).intValue() != 0 && sql != null) {
                    int w = sql.toString().toUpperCase(Locale.ROOT).lastIndexOf(" WHERE ");
                    def += w < 0 ? "" : " WHERE " + sql.toString().substring(w + 7).strip();
                }
            }
            indexes.add(new TableDescription.Part(name, def));
        }
        Map<Long, List<Row>> keysById = new LinkedHashMap<>();
        for (Row r : statements.ask("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
                + conn.pragmaFunction("pragma_foreign_key_list") + " ORDER BY id, seq", conn.pragmaArgs(table).toArray())) {
            keysById.computeIfAbsent(((Number) r.get(0)).longValue(), k -> new ArrayList<>()).add(r);
        }
        List<TableDescription.Part> foreignKeys = new ArrayList<>();
        for (List<Row> fk : keysById.values()) {
            List<String> from = fk.stream().map(r -> Identifiers.quote((String) r.get(3))).toList();
            boolean implicit = fk.stream().anyMatch(r -> r.get(4) == null); // REFERENCES parent: its primary key
            String def = "FOREIGN KEY (" + String.join(", ", from) + ") REFERENCES " + Identifiers.quote((String) fk.get(0).get(2))
                    + (implicit ? "" : "(" + String.join(", ", fk.stream().map(r -> Identifiers.quote((String) r.get(4))).toList()) + ")")
                    + action("ON UPDATE", (String) fk.get(0).get(5)) + action("ON DELETE", (String) fk.get(0).get(6));
            foreignKeys.add(new TableDescription.Part(null, def));
        }
        Object create = statements.ask("SELECT sql FROM " + conn.qualified("sqlite_schema") + " WHERE type IN ('table', 'view') AND name = ?", table).value();
        List<TableDescription.Part> checks = create == null ? List.of() : sqliteChecks(create.toString());
        List<TableDescription.Part> triggers = new ArrayList<>();
        statements.scan("SELECT name, sql FROM " + conn.qualified("sqlite_schema") + " WHERE type = 'trigger' AND tbl_name = ? ORDER BY name",
                List.of(table), r -> triggers.add(new TableDescription.Part((String) r.get(0), String.valueOf(r.get(1)))));
        return new TableDescription(tier.name(), table, label(), columns, catalogue.primaryKey(table), indexes, foreignKeys, checks,
                triggers, List.of());
    }

    private static String action(String what, String action) {
        return action == null || action.equalsIgnoreCase("NO ACTION") ? "" : " " + what + " " + action;
    }

    /** The CHECK constraints of a CREATE TABLE statement, column and table ones, named when {@code CONSTRAINT name} precedes them. */
    static List<TableDescription.Part> sqliteChecks(String createTable) {
        List<SqlLexer.Token> code = SqlLexer.tokens(createTable, Engine.SQLITE).stream().filter(SqlLexer.Token::significant).toList();
        List<TableDescription.Part> out = new ArrayList<>();
        for (int i = 0; i + 1 < code.size(); i++) {
            if (!code.get(i).is("CHECK") || !code.get(i + 1).text().equals("(")) {
                continue;
            }
            int depth = 0;
            int end = i + 1;
            for (; end < code.size(); end++) {
                String t = code.get(end).text();
                depth += t.equals("(") ? 1 : t.equals(")") ? -1 : 0;
                if (depth == 0) {
                    break;
                }
            }
            if (end >= code.size()) {
                break;
            }
            String name = i >= 2 && code.get(i - 2).is("CONSTRAINT") ? code.get(i - 1).name() : null;
            out.add(new TableDescription.Part(name, "CHECK " + createTable.substring(code.get(i + 1).start(), code.get(end).end())));
            i = end;
        }
        return out;
    }

    // ---------------------------------------------------------------- PostgreSQL

    /** The table's oid, found by schema and name (no regclass text to quote). */
    private static final String OID = "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ?)";

    private TableDescription postgres(String table) {
        String schema = schema();
        List<String> pk = catalogue.primaryKey(table);
        List<Column> columns = new ArrayList<>();
        pg("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid, true),"
                + " a.attidentity::text, a.attgenerated::text FROM pg_catalog.pg_attribute a"
                + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = " + OID + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", schema, table, r -> {
                    String name = r.getString(1);
                    String identity = r.getString(5);
                    String generated = r.getString(6);
                    String def = "a".equals(identity) ? "generated always as identity"
                            : "d".equals(identity) ? "generated by default as identity"
                            : "s".equals(generated) ? "generated always as (" + r.getString(4) + ") stored" : r.getString(4);
                    columns.add(new Column(name, r.getString(2), r.getBoolean(3), def, pk.indexOf(name) + 1));
                });
        return new TableDescription(tier.name(), table, label(), columns, pk, postgresIndexes(schema, table),
                constraints(schema, table, "f"), constraints(schema, table, "c"), postgresTriggers(schema, table), List.of());
    }

    /** Each index as psql lists it: {@code "t_pkey" PRIMARY KEY, btree (id)}, {@code "t_email" UNIQUE, btree (email) WHERE …}. */
    private List<TableDescription.Part> postgresIndexes(String schema, String table) {
        List<TableDescription.Part> out = new ArrayList<>();
        pg("SELECT ic.relname, i.indisprimary, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), con.contype::text"
                + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
                + " LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')"
                + " WHERE i.indrelid = " + OID + " ORDER BY i.indisprimary DESC, ic.relname", schema, table, r -> {
                    String def = r.getString(4);
                    int using = def.indexOf(" USING ");
                    String method = using < 0 ? def : def.substring(using + 7);
                    String kind = r.getBoolean(2) ? "PRIMARY KEY, " : "u".equals(r.getString(5)) ? "UNIQUE CONSTRAINT, "
                            : "x".equals(r.getString(5)) ? "EXCLUDE CONSTRAINT, " : r.getBoolean(3) ? "UNIQUE, " : "";
                    out.add(new TableDescription.Part(r.getString(1), kind + method));
                });
        return out;
    }

    private List<TableDescription.Part> constraints(String schema, String table, String type) {
        List<TableDescription.Part> out = new ArrayList<>();
        pg("SELECT conname, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE conrelid = " + OID
                + " AND contype = '" + type + "' ORDER BY conname", schema, table,
                r -> out.add(new TableDescription.Part(r.getString(1), r.getString(2))));
        return out;
    }

    /** Triggers as psql lists them: the name, then the definition after {@code CREATE TRIGGER name}. */
    private List<TableDescription.Part> postgresTriggers(String schema, String table) {
        List<TableDescription.Part> out = new ArrayList<>();
        pg("SELECT tgname, pg_catalog.pg_get_triggerdef(oid, true) FROM pg_catalog.pg_trigger WHERE tgrelid = " + OID
                + " AND NOT tgisinternal ORDER BY tgname", schema, table, r -> {
                    String def = r.getString(2);
                    String head = "TRIGGER " + r.getString(1) + " ";
                    int at = def.indexOf(head);
                    if (at < 0) {
                        head = "TRIGGER " + Identifiers.quote(r.getString(1)) + " ";
                        at = def.indexOf(head);
                    }
                    out.add(new TableDescription.Part(r.getString(1), at < 0 ? def : def.substring(at + head.length())));
                });
        return out;
    }

    /**
     * PostgreSQL's {@code schema(table)}: a CREATE TABLE with the types as {@code format_type} states them, defaults, the
     * primary key and every other constraint (unique, foreign key, check, exclude) as {@code pg_get_constraintdef}
     * words it, then the CREATE INDEX of each index no constraint owns, then each trigger's CREATE TRIGGER.
     */
    String postgresSchema(String table) {
        TableDescription d = describe(table);
        String schema = schema();
        StringBuilder sb = new StringBuilder("CREATE TABLE " + Identifiers.quote(table) + " (\n");
        List<String> lines = new ArrayList<>();
        for (Column c : d.columns()) {
            String def = c.defaultValue();
            String tail;
            if (def == null) {
                tail = "";
            } else if (def.startsWith("generated always as (")) {
                tail = " GENERATED ALWAYS AS " + def.substring("generated always as ".length(), def.length() - " stored".length()) + " STORED";
            } else if (def.startsWith("generated ")) {
                tail = " " + def.toUpperCase(Locale.ROOT);
            } else {
                tail = " DEFAULT " + def;
            }
            lines.add("  " + Identifiers.quote(c.name()) + " " + c.type() + (c.notNull() ? " NOT NULL" : "") + tail);
        }
        pg("SELECT conname, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE conrelid = " + OID
                + " AND contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY contype = 'p' DESC, conname", schema, table,
                r -> lines.add("  CONSTRAINT " + Identifiers.quote(r.getString(1)) + " " + r.getString(2)));
        sb.append(String.join(",\n", lines)).append("\n);");
        pg("SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) FROM pg_catalog.pg_index i WHERE i.indrelid = " + OID
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)"
                + " ORDER BY 1", schema, table, r -> sb.append('\n').append(r.getString(1)).append(';'));
        pg("SELECT pg_catalog.pg_get_triggerdef(oid, true) FROM pg_catalog.pg_trigger WHERE tgrelid = " + OID
                + " AND NOT tgisinternal ORDER BY tgname", schema, table, r -> sb.append('\n').append(r.getString(1)).append(';'));
        return sb.toString();
    }

    private String schema() {
        try {
            String s = conn.connection().getSchema();
            return s == null ? "public" : s;
        } catch (SQLException e) {
            throw tier.fail(e, "describe");
        }
    }

    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet r) throws SQLException;
    }

    /** A catalogue query with the table's schema and name bound to each {@link #OID} it holds. */
    private void pg(String sql, String schema, String table, RowReader reader) {
        try (PreparedStatement ps = conn.connection().prepareStatement(sql)) {
            int n = sql.split("\\?", -1).length - 1;
            for (int i = 0; i < n; i += 2) {
                ps.setString(i + 1, schema);
                ps.setString(i + 2, table);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            throw tier.fail(e, sql);
        }
    }

    // ---------------------------------------------------------------- other engines: JDBC metadata

    private TableDescription jdbc(String table) {
        List<TableDescription.Part> indexes = catalogue.indexes(table).stream()
                .map(i -> new TableDescription.Part(i.name(), (i.unique() ? "UNIQUE " : "") + "(" + String.join(", ", i.columns()) + ")"
                        + (i.where() == null ? "" : " WHERE " + i.where()))).toList();
        List<TableDescription.Part> foreignKeys = new ArrayList<>();
        try {
            DatabaseMetaData md = conn.connection().getMetaData();
            Map<String, List<String[]>> byName = new LinkedHashMap<>();
            try (ResultSet rs = md.getImportedKeys(null, conn.connection().getSchema(), table)) {
                while (rs.next()) {
                    String name = rs.getString("FK_NAME");
                    byName.computeIfAbsent(name == null ? rs.getString("PKTABLE_NAME") : name, k -> new ArrayList<>())
                            .add(new String[]{rs.getString("FKCOLUMN_NAME"), rs.getString("PKTABLE_NAME"), rs.getString("PKCOLUMN_NAME")});
                }
            }
            byName.forEach((name, cols) -> foreignKeys.add(new TableDescription.Part(name, "FOREIGN KEY ("
                    + String.join(", ", cols.stream().map(c -> c[0]).toList()) + ") REFERENCES " + cols.get(0)[1] + "("
                    + String.join(", ", cols.stream().map(c -> c[2]).toList()) + ")")));
        } catch (SQLException e) {
            throw tier.fail(e, "describe(" + table + ")");
        }
        return new TableDescription(tier.name(), table, label(), catalogue.columns(table), catalogue.primaryKey(table), indexes,
                foreignKeys, List.of(), List.of(), List.of("Check constraints", "Triggers"));
    }
}
