package dev.sluice.data;

import dev.sluice.tier.Identifiers;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.SqlLexer.Token;
import dev.sluice.workspace.Engine;
import java.util.List;

/**
 * Rewrites the head of a SQLite CREATE TABLE / CREATE INDEX statement (as stored in sqlite_schema) to give it another
 * table or index name, leaving the body byte for byte: constraints, collations and AUTOINCREMENT survive the copy.
 */
final class SqliteDdl {
    private SqliteDdl() {
    }

    /** {@code CREATE TABLE old (…)} → {@code CREATE TABLE "name" (…)}. */
    static String renameTable(String createSql, String name) {
        Head h = new Head(createSql);
        h.word("CREATE");
        h.optionalWord("TEMP", "TEMPORARY");
        h.word("TABLE");
        h.ifNotExists();
        int start = h.here().start();
        int end = h.qualifiedName();
        return createSql.substring(0, start) + Identifiers.quote(name) + " " + createSql.substring(end).stripLeading();
    }

    /** {@code CREATE [UNIQUE] INDEX old ON t (…)} → {@code CREATE … INDEX "index" ON "table" (…)}. */
    static String renameIndex(String createSql, String index, String table) {
        Head h = new Head(createSql);
        h.word("CREATE");
        h.optionalWord("UNIQUE");
        h.word("INDEX");
        h.ifNotExists();
        int nameStart = h.here().start();
        h.qualifiedName();
        h.word("ON");
        int end = h.qualifiedName();
        return createSql.substring(0, nameStart) + Identifiers.quote(index) + " ON " + Identifiers.quote(table) + " "
                + createSql.substring(end).stripLeading();
    }

    /** The statement's significant tokens, read from the front. */
    private static final class Head {
        final String sql;
        final List<Token> code;
        int i;

        Head(String sql) {
            this.sql = sql;
            this.code = SqlLexer.code(sql, Engine.SQLITE);
        }

        Token here() {
            if (i >= code.size()) {
                throw new IllegalArgumentException("unexpected end of: " + sql);
            }
            return code.get(i);
        }

        void word(String w) {
            if (!here().is(w)) {
                throw new IllegalArgumentException("expected " + w + " at " + here().start() + " in: " + sql);
            }
            i++;
        }

        void optionalWord(String... ws) {
            for (String w : ws) {
                if (i < code.size() && code.get(i).is(w)) {
                    i++;
                    return;
                }
            }
        }

        void ifNotExists() {
            if (i < code.size() && code.get(i).is("IF")) {
                word("IF");
                word("NOT");
                word("EXISTS");
            }
        }

        /** Moves past {@code name} or {@code schema.name} (each bare, quoted or a string); returns where it ends. */
        int qualifiedName() {
            int end = here().end();
            i++;
            if (i + 1 < code.size() && code.get(i).text().equals(".")) {
                end = code.get(i + 1).end();
                i += 2;
            }
            return end;
        }
    }

    /**
     * SQLite's affinity of a declared type (datatype3.html §3.1): I, T, R, N, or B for none (no type, BLOB, and ANY, which
     * a STRICT table keeps as given). The copy's proof and the in-SQLite diff both decide by it where a storage class
     * must be compared besides the value.
     */
    static char affinity(String declared) {
        String t = declared == null ? "" : declared.toUpperCase(java.util.Locale.ROOT);
        if (t.contains("INT")) {
            return 'I';
        }
        if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT")) {
            return 'T';
        }
        if (t.isBlank() || t.contains("BLOB") || t.trim().equals("ANY")) {
            return 'B';
        }
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
            return 'R';
        }
        return 'N';
    }
}
