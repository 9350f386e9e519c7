package dev.sluice.data;

import dev.sluice.tier.Identifiers;

/**
 * Rewrites the head of a SQLite CREATE TABLE / CREATE INDEX statement (as stored in sqlite_schema) to give it another
 * table or index name, leaving the body byte for byte: constraints, collations and AUTOINCREMENT survive the copy.
 */
final class SqliteDdl {
    private SqliteDdl() {
    }

    /** {@code CREATE TABLE old (…)} → {@code CREATE TABLE "name" (…)}. */
    static String renameTable(String createSql, String name) {
        Cursor c = new Cursor(createSql);
        c.word("CREATE");
        c.optionalWord("TEMP", "TEMPORARY");
        c.word("TABLE");
        c.ifNotExists();
        int start = c.pos;
        c.qualifiedName();
        return createSql.substring(0, start) + Identifiers.quote(name) + " " + createSql.substring(c.pos).stripLeading();
    }

    /** {@code CREATE [UNIQUE] INDEX old ON t (…)} → {@code CREATE … INDEX "index" ON "table" (…)}. */
    static String renameIndex(String createSql, String index, String table) {
        Cursor c = new Cursor(createSql);
        c.word("CREATE");
        c.optionalWord("UNIQUE");
        c.word("INDEX");
        c.ifNotExists();
        int nameStart = c.pos;
        c.qualifiedName();
        c.word("ON");
        c.qualifiedName();
        return createSql.substring(0, nameStart) + Identifiers.quote(index) + " ON " + Identifiers.quote(table) + " "
                + createSql.substring(c.pos).stripLeading();
    }

    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length()) {
                char ch = s.charAt(pos);
                if (Character.isWhitespace(ch)) {
                    pos++;
                } else if (s.startsWith("--", pos)) {
                    int nl = s.indexOf('\n', pos);
                    pos = nl < 0 ? s.length() : nl + 1;
                } else if (s.startsWith("/*", pos)) {
                    int end = s.indexOf("*/", pos + 2);
                    pos = end < 0 ? s.length() : end + 2;
                } else {
                    return;
                }
            }
        }

        boolean peekWord(String w) {
            skipSpace();
            return s.regionMatches(true, pos, w, 0, w.length())
                    && (pos + w.length() >= s.length() || !Character.isLetterOrDigit(s.charAt(pos + w.length())) && s.charAt(pos + w.length()) != '_');
        }

        void word(String w) {
            if (!peekWord(w)) {
                throw new IllegalArgumentException("expected " + w + " at " + pos + " in: " + s);
            }
            pos += w.length();
        }

        void optionalWord(String... ws) {
            for (String w : ws) {
                if (peekWord(w)) {
                    pos += w.length();
                    return;
                }
            }
        }

        void ifNotExists() {
            if (peekWord("IF")) {
                word("IF");
                word("NOT");
                word("EXISTS");
            }
            skipSpace();
        }

        void qualifiedName() {
            skipSpace();
            name();
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                skipSpace();
                name();
            }
        }

        private void name() {
            char ch = s.charAt(pos);
            char close = ch == '"' ? '"' : ch == '`' ? '`' : ch == '[' ? ']' : ch == '\'' ? '\'' : 0;
            if (close != 0) {
                pos++;
                while (pos < s.length()) {
                    if (s.charAt(pos) == close) {
                        if (close != ']' && pos + 1 < s.length() && s.charAt(pos + 1) == close) {
                            pos += 2;
                            continue;
                        }
                        pos++;
                        return;
                    }
                    pos++;
                }
                return;
            }
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '$'
                    || s.charAt(pos) > 127)) {
                pos++;
            }
        }
    }
}
