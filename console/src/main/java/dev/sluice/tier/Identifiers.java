package dev.sluice.tier;

/** Safe identifier quoting: every identifier the DSL builds goes through here, so {@code order}, {@code my "table"} and {@code a b} work. */
public final class Identifiers {
    private Identifiers() {
    }

    /** ANSI double-quote quoting (SQLite and PostgreSQL): wraps in {@code "} and doubles embedded quotes. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("empty identifier");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A SQL string literal: wraps in {@code '} and doubles embedded quotes. */
    public static String literal(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
