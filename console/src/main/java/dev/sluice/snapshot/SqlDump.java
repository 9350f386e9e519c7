package dev.sluice.snapshot;

import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A logical dump in the shape of sqlite3's {@code .dump}: schema, then one INSERT per row, in one transaction.
 * Virtual tables are dumped as their CREATE statement (their shadow tables are skipped) and FTS5 indexes are rebuilt at the end.
 */
final class SqlDump {
    private final Tier tier;

    SqlDump(Tier tier) {
        this.tier = tier;
    }

    void write(Writer w) throws IOException {
        w.write("-- Sluice dump of tier '" + tier.name() + "' (" + tier.file() + "), SQLite " + tier.engineVersion() + "\n");
        w.write("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
        List<String[]> tables = new ArrayList<>();
        List<String> virtual = new ArrayList<>();
        List<String> fts = new ArrayList<>();
        tier.each("SELECT name, sql FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid", r -> {
            String sql = (String) r.get(1);
            if (sql != null && sql.regionMatches(true, 0, "CREATE VIRTUAL TABLE", 0, 20)) {
                virtual.add((String) r.get(0));
                if (usesModule(sql, "fts5")) {
                    fts.add((String) r.get(0));
                }
            }
            tables.add(new String[]{(String) r.get(0), sql});
        });
        for (String[] t : tables) {
            String name = t[0];
            boolean shadow = virtual.stream().anyMatch(v -> name.startsWith(v + "_"));
            if (shadow) {
                continue;
            }
            w.write(t[1] + ";\n");
            if (virtual.contains(name)) {
                continue;
            }
            String q = Identifiers.quote(name);
            try {
                tier.each("SELECT * FROM " + q, List.of(), r -> {
                    try {
                        w.write("INSERT INTO " + q + " VALUES(" + values(r) + ");\n");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        List<String> rest = new ArrayList<>();
        tier.each("SELECT sql FROM sqlite_schema WHERE type IN ('index','trigger','view') AND sql IS NOT NULL ORDER BY rowid",
                r -> rest.add((String) r.get(0)));
        for (String s : rest) {
            w.write(s + ";\n");
        }
        for (String f : fts) {
            w.write("INSERT INTO " + Identifiers.quote(f) + "(" + Identifiers.quote(f) + ") VALUES('rebuild');\n");
        }
        w.write("COMMIT;\n");
    }

    private static String values(Row r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object v = r.get(i);
            if (v == null) {
                sb.append("NULL");
            } else if (v instanceof byte[] b) {
                sb.append("X'").append(HexFormat.of().formatHex(b)).append('\'');
            } else if (v instanceof Double d) {
                sb.append(d.isInfinite() ? (d > 0 ? "1e999" : "-1e999") : Double.toString(d));
            } else if (v instanceof Number) {
                sb.append(v);
            } else {
                sb.append(Identifiers.literal(v.toString()));
            }
        }
        return sb.toString();
    }

    /** Whether a CREATE VIRTUAL TABLE statement names {@code module} after USING. */
    static boolean usesModule(String createSql, String module) {
        List<SqlLexer.Token> code = SqlLexer.code(createSql, Engine.SQLITE);
        for (int i = 0; i + 1 < code.size(); i++) {
            if (code.get(i).is("USING")) {
                return code.get(i + 1).name().equalsIgnoreCase(module);
            }
        }
        return false;
    }
}
