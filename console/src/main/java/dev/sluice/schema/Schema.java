package dev.sluice.schema;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Column;
import dev.sluice.tier.IntegrityReport;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The idempotent schema helpers. Running any of them twice changes nothing the second time. */
public final class Schema {
    private Schema() {
    }

    /** CREATE TABLE unless a table of that name exists (its shape is not compared: use {@link #rebuild} to change one). */
    public static SchemaChange createTable(Tier tier, String ddl) {
        String table = name(tier, "TABLE", ddl, "createTable", "CREATE TABLE name (...)");
        if (tier.hasTable(table)) {
            return new SchemaChange(tier.name(), "createTable", table, false, null);
        }
        tier.exec(ddl);
        return new SchemaChange(tier.name(), "createTable", table, true, null);
    }

    /** ALTER TABLE … ADD COLUMN unless the column exists (checked through the catalogue, case-insensitively). */
    public static SchemaChange addColumn(Tier tier, String table, String columnDefinition) {
        String column = name(tier, null, columnDefinition, "addColumn", "c TEXT DEFAULT 'open'");
        if (tier.hasColumn(table, column)) {
            return new SchemaChange(tier.name(), "addColumn", table + "." + column, false, null);
        }
        tier.exec("ALTER TABLE " + tier.qualified(table) + " ADD COLUMN " + columnDefinition.strip());
        return new SchemaChange(tier.name(), "addColumn", table + "." + column, true, null);
    }

    /** CREATE INDEX unless an index of that name exists. */
    public static SchemaChange createIndex(Tier tier, String ddl) {
        String index = name(tier, "INDEX", ddl, "createIndex", "CREATE INDEX name ON table(columns)");
        if (tier.hasIndex(index)) {
            return new SchemaChange(tier.name(), "createIndex", index, false, null);
        }
        tier.exec(ddl);
        return new SchemaChange(tier.name(), "createIndex", index, true, null);
    }

    /**
     * SQLite's documented 12-step rebuild (https://www.sqlite.org/lang_altertable.html#otheralter) for what ALTER cannot do
     * (drop or retype a column, add a constraint), inside the caller's transaction: keep the rows aside in a temp table,
     * drop the old table, create the new shape, copy the rows back (columns both shapes share, or the given expressions),
     * recreate its indexes, triggers and the views, keep {@code sqlite_sequence}, then {@code foreign_key_check}.
     * A table already in the new shape is left alone. Foreign keys cannot be switched off inside a transaction, so
     * the rebuild defers them ({@code defer_foreign_keys}) and refuses a table other tables reference with ON DELETE
     * actions (the implicit delete of DROP TABLE would fire them).
     */
    public static SchemaChange rebuild(Tier tier, String table, String createTableDdl, Map<String, String> expressions) {
        if (tier.engine() != Engine.SQLITE) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "rebuild() is for SQLite tiers; tier '" + tier.name()
                    + "' is " + tier.engine().label() + ". Use ALTER TABLE there.");
        }
        TierInternals.requireOwnConnection(tier, "rebuild()"); // it writes main. and temp. itself
        String named = name(tier, "TABLE", createTableDdl, "rebuild", "CREATE TABLE name (...)");
        if (!named.equals(table)) {
            throw new SluiceException(ErrorCode.USAGE, "rebuild(" + tier.name() + ", '" + table + "', ddl): the DDL creates '"
                    + named + "', not '" + table + "'. Give the new shape of the same table.");
        }
        if (!tier.hasTable(table)) {
            throw new SluiceException(ErrorCode.NO_SUCH_TABLE, "rebuild: tier '" + tier.name() + "' has no table '" + table
                    + "'. Create it with createTable instead.");
        }
        String current = String.valueOf(tier.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).value());
        if (body(current).equals(body(createTableDdl))) {
            return new SchemaChange(tier.name(), "rebuild", table, false, null);
        }
        boolean ownTx = !tier.inTransaction();
        if (ownTx) {
            tier.begin();
        }
        try {
            SchemaChange c = doRebuild(tier, table, createTableDdl, expressions);
            if (ownTx) {
                TierInternals.commit(tier);
            }
            return c;
        } catch (RuntimeException e) {
            if (ownTx) {
                TierInternals.rollback(tier);
            }
            throw e;
        }
    }

    private static SchemaChange doRebuild(Tier tier, String table, String ddl, Map<String, String> expressions) {
        boolean fk = ((Number) tier.query("PRAGMA foreign_keys").value()).longValue() != 0;
        if (fk) {
            for (Row r : tier.query("SELECT m.name, f.on_delete FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
                    + "WHERE m.type = 'table' AND f.\"table\" = ? AND f.on_delete NOT IN ('NO ACTION')", table)) {
                throw new SluiceException(ErrorCode.UNSUPPORTED, "rebuild of '" + table + "' on tier '" + tier.name() + "': table '"
                        + r.get(0) + "' references it with ON DELETE " + r.get(1) + ", which DROP TABLE would fire, and foreign keys "
                        + "cannot be switched off inside a transaction. Open the tier with pragma foreign_keys=OFF for this step.");
            }
            tier.exec("PRAGMA defer_foreign_keys = ON");
        }
        // Step 3-4: remember indexes, triggers (of this table) and views (all: any may name it) to recreate them.
        List<String> indexes = new ArrayList<>();
        List<String> triggers = new ArrayList<>();
        List<String[]> views = new ArrayList<>();
        tier.each("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index','trigger') AND sql IS NOT NULL",
                List.of(table), r -> (r.get(0).equals("index") ? indexes : triggers).add((String) r.get(2)));
        tier.each("SELECT name, sql FROM sqlite_schema WHERE type = 'view'", r -> views.add(new String[]{(String) r.get(0), (String) r.get(1)}));
        Object seq = tier.hasTable("sqlite_sequence")
                ? tier.query("SELECT max(seq) FROM sqlite_sequence WHERE name = ?", table).value() : null;
        // Keep the rows aside, drop the old table, create the new shape under the real name and copy back. Creating it
        // under its own name (instead of the doc's rename) lets the deferred foreign-key counter see the parent rows
        // come back, and leaves other tables' references untouched.
        String keep = "_sluice_rebuild_" + table;
        List<String> oldCols = tier.columns(table).stream().map(Column::name).toList();
        for (String[] v : views) {
            tier.exec("DROP VIEW " + Identifiers.quote(v[0]));
        }
        long before = tier.count(table);
        tier.exec("CREATE TEMP TABLE " + Identifiers.quote(keep) + " AS SELECT * FROM main." + Identifiers.quote(table));
        tier.exec("DROP TABLE main." + Identifiers.quote(table));
        tier.exec(withoutIfNotExists(tier.engine(), ddl));
        Map<String, String> select = new LinkedHashMap<>();
        List<String> lower = oldCols.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        for (Column c : tier.columns(table)) {
            String expr = expressions.get(c.name());
            if (expr != null) {
                select.put(c.name(), expr);
            } else if (lower.contains(c.name().toLowerCase(Locale.ROOT))) {
                select.put(c.name(), Identifiers.quote(c.name()));
            }
        }
        tier.exec("INSERT INTO main." + Identifiers.quote(table) + " (" + String.join(", ", select.keySet().stream().map(Identifiers::quote).toList())
                + ") SELECT " + String.join(", ", select.values()) + " FROM temp." + Identifiers.quote(keep));
        tier.exec("DROP TABLE temp." + Identifiers.quote(keep));
        // Indexes, triggers (after the copy, so they do not fire on it), views.
        for (String sql : indexes) {
            tier.exec(sql);
        }
        for (String sql : triggers) {
            tier.exec(sql);
        }
        for (String[] v : views) {
            tier.exec(v[1]);
        }
        if (seq != null && tier.hasTable("sqlite_sequence")) {
            tier.exec("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", seq, table);
            tier.exec("INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                    table, seq, table);
        }
        long after = tier.count(table);
        if (after != before) {
            throw new SluiceException(ErrorCode.INTEGRITY, "rebuild of '" + table + "' on tier '" + tier.name() + "' copied " + after
                    + " of " + before + " rows. Nothing is committed; check the new shape's constraints.");
        }
        // Steps 10-11: foreign_key_check before anything is committed.
        IntegrityReport fkc = tier.foreignKeyCheck();
        if (!fkc.ok()) {
            throw new SluiceException(ErrorCode.INTEGRITY, "rebuild of '" + table + "' on tier '" + tier.name()
                    + "' breaks foreign keys: " + fkc.problems().get(0) + (fkc.problems().size() > 1 ? " (and " + (fkc.problems().size() - 1)
                    + " more)" : "") + ". Nothing is committed.");
        }
        return new SchemaChange(tier.name(), "rebuild", table, true, before + " rows copied, " + indexes.size() + " indexes, "
                + triggers.size() + " triggers, " + views.size() + " views recreated");
    }

    /** The part of a CREATE TABLE after the name, whitespace collapsed: what makes two shapes equal. */
    static String body(String ddl) {
        int i = ddl.indexOf('(');
        return (i < 0 ? ddl : ddl.substring(i)).replaceAll("\\s+", " ").replaceAll("\\s*([(),])\\s*", "$1").strip().replaceAll(";$", "");
    }

    private static String name(Tier tier, String object, String text, String call, String example) {
        String n = declaredName(SqlLexer.code(text, tier.engine()), object);
        if (n == null) {
            throw new SluiceException(ErrorCode.USAGE, call + ": cannot find the name in '" + text.strip().lines().findFirst().orElse("")
                    + "'. Expected something like: " + example + ".");
        }
        return n;
    }

    /**
     * The name {@code CREATE [TEMP|TEMPORARY|UNIQUE] object [IF NOT EXISTS] [schema.]name} declares, unquoted; with a
     * null object, the name the tokens start with (a column definition's). Null when the tokens read otherwise.
     */
    static String declaredName(List<SqlLexer.Token> code, String object) {
        int i = 0;
        if (object != null) {
            if (!is(code, i++, "CREATE")) {
                return null;
            }
            if (is(code, i, "TEMP") || is(code, i, "TEMPORARY") || is(code, i, "UNIQUE")) {
                i++;
            }
            if (!is(code, i++, object)) {
                return null;
            }
            if (is(code, i, "IF") && is(code, i + 1, "NOT") && is(code, i + 2, "EXISTS")) {
                i += 3;
            }
        }
        if (!isName(code, i)) {
            return null;
        }
        if (i + 2 < code.size() && code.get(i + 1).text().equals(".") && isName(code, i + 2)) {
            i += 2;
        }
        return code.get(i).name();
    }

    /** The DDL without the IF NOT EXISTS of its head (the same words in a comment, a string or a CHECK stay). */
    static String withoutIfNotExists(Engine engine, String ddl) {
        List<SqlLexer.Token> code = SqlLexer.code(ddl, engine);
        for (int i = 0; i + 3 < code.size() && i < 4; i++) {
            if (is(code, i, "IF") && is(code, i + 1, "NOT") && is(code, i + 2, "EXISTS")) {
                return ddl.substring(0, code.get(i).start()) + ddl.substring(code.get(i + 3).start());
            }
        }
        return ddl;
    }

    private static boolean is(List<SqlLexer.Token> code, int i, String word) {
        return i < code.size() && code.get(i).is(word);
    }

    private static boolean isName(List<SqlLexer.Token> code, int i) {
        return i < code.size() && (code.get(i).kind() == SqlLexer.Kind.WORD || code.get(i).kind() == SqlLexer.Kind.QUOTED_NAME);
    }
}
