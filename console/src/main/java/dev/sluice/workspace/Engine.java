package dev.sluice.workspace;

import java.util.Locale;

/** The database engine behind a tier, read from its JDBC URL. */
public enum Engine {
    SQLITE, POSTGRESQL, OTHER;

    public static Engine ofUrl(String jdbcUrl) {
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        return OTHER;
    }

    public String label() {
        return switch (this) {
            case SQLITE -> "SQLite";
            case POSTGRESQL -> "PostgreSQL";
            case OTHER -> "JDBC";
        };
    }
}
