package dev.sluice.schema;

import dev.sluice.tier.Tier;
import dev.sluice.workspace.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape of a tier's tables as its catalogue has them — per table, its columns, indexes and triggers, each name with
 * its definition — read in a few catalogue queries, so that a step's schema change can be told as what was added,
 * dropped or altered. Engines other than SQLite and PostgreSQL have no shape: no edit is reported there.
 */
public final class TierShape {
    /** One table: its columns in order, its indexes and triggers, each name → definition. */
    private record TableShape(Map<String, String> columns, Map<String, String> indexes, Map<String, String> triggers) {
        String columnList() {
            List<String> parts = new ArrayList<>();
            columns.forEach((n, d) -> parts.add(d.isEmpty() ? n : n + " " + d));
            return String.join(", ", parts);
        }
    }

    private static final TableShape NONE = new TableShape(Map.of(), Map.of(), Map.of());

    private final boolean known;
    private final Map<String, TableShape> tables;

    private TierShape(boolean known, Map<String, TableShape> tables) {
        this.known = known;
        this.tables = tables;
    }

    /**
     * Reads the shape inside whatever transaction the tier has open (a step's). Only catalogue reads that cannot fail on
     * a sound database: on PostgreSQL a failed statement would abort the step's transaction.
     */
    public static TierShape of(Tier tier) {
        Map<String, TableShape> out = new TreeMap<>();
        if (tier.engine() == Engine.SQLITE) {
            // The schema table through the tier's own qualified name, and columns through its catalogue: both are what an
            // atomic step's shared connection allows (a pragma joined here would reach every attached database).
            List<String> tables = new ArrayList<>();
            tier.each("SELECT type, name, tbl_name, sql FROM " + tier.qualified("sqlite_schema") + " WHERE type IN ('table', 'index', 'trigger') "
                    + "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY tbl_name, type, name", r -> {
                String type = (String) r.get(0);
                if (type.equals("table")) {
                    tables.add((String) r.get(1));
                    shape(out, (String) r.get(1));
                } else if (r.get(3) != null) { // an index a constraint made has no SQL: it comes and goes with its table
                    TableShape t = shape(out, (String) r.get(2));
                    (type.equals("index") ? t.indexes() : t.triggers()).put((String) r.get(1), collapse((String) r.get(3)));
                }
            });
            for (String table : tables) {
                try {
                    tier.columns(table).forEach(c -> out.get(table).columns().put(c.name(), column(c.type(), c.notNull(), c.defaultValue(), c.pk())));
                } catch (RuntimeException e) {
                    // A virtual table whose module this driver lacks: its columns stay unknown, before and after alike.
                }
            }
            return new TierShape(true, out);
        }
        if (tier.engine() == Engine.POSTGRESQL) {
            tier.each("SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
                    + "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position", r -> shape(out, (String) r.get(0))
                    .columns().put((String) r.get(1), column((String) r.get(2), "NO".equals(r.get(3)), (String) r.get(4), 0)));
            tier.each("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY tablename, indexname",
                    r -> shape(out, (String) r.get(0)).indexes().put((String) r.get(1), collapse((String) r.get(2))));
            tier.each("SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    + "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname, t.tgname",
                    r -> shape(out, (String) r.get(0)).triggers().put((String) r.get(1), collapse((String) r.get(2))));
            return new TierShape(true, out);
        }
        return new TierShape(false, Map.of()); // another engine: no shape, so no edit is ever reported
    }

    private static TableShape shape(Map<String, TableShape> out, String table) {
        return out.computeIfAbsent(table, k -> new TableShape(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>()));
    }

    private static String column(String type, boolean notNull, String defaultValue, int pk) {
        String d = (type == null ? "" : type) + (notNull ? " NOT NULL" : "") + (defaultValue == null ? "" : " DEFAULT " + defaultValue)
                + (pk > 0 ? " PRIMARY KEY" : "");
        return d.strip();
    }

    private static String collapse(String sql) {
        return sql == null ? "" : sql.replaceAll("\\s+", " ").strip();
    }

    /**
     * What changed in {@code table} from this shape to {@code after}: the table itself when it was created or dropped
     * (with its columns), then each column, index and trigger added, dropped or altered. Empty when either shape is
     * unknown or nothing changed.
     */
    public List<SchemaEdit> changes(TierShape after, String table) {
        List<SchemaEdit> edits = new ArrayList<>();
        if (!known || !after.known) {
            return edits;
        }
        TableShape b = tables.get(table);
        TableShape a = after.tables.get(table);
        if (b == null && a == null) {
            return edits;
        }
        if (b == null) {
            edits.add(new SchemaEdit("table", table, null, a.columnList()));
        } else if (a == null) {
            edits.add(new SchemaEdit("table", table, b.columnList(), null));
        }
        TableShape bb = b == null ? NONE : b;
        TableShape aa = a == null ? NONE : a;
        if (b != null && a != null) {
            compare("column", bb.columns(), aa.columns(), edits);
        }
        compare("index", bb.indexes(), aa.indexes(), edits);
        compare("trigger", bb.triggers(), aa.triggers(), edits);
        return edits;
    }

    private static void compare(String kind, Map<String, String> before, Map<String, String> after, List<SchemaEdit> edits) {
        for (Map.Entry<String, String> e : before.entrySet()) {
            String now = after.get(e.getKey());
            if (now == null) {
                edits.add(new SchemaEdit(kind, e.getKey(), e.getValue(), null));
            } else if (!now.equals(e.getValue())) {
                edits.add(new SchemaEdit(kind, e.getKey(), e.getValue(), now));
            }
        }
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                edits.add(new SchemaEdit(kind, e.getKey(), null, e.getValue()));
            }
        }
    }
}
