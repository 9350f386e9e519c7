package dev.sluice.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The local PostgreSQL for tests (127.0.0.1:5432, trust auth, database test; override with SLUICE_PG_URL).
 * Each test gets a schema of its own, dropped afterwards. Without a server the test is skipped with a clear message,
 * except under CI=true, where it fails: CI must run it.
 */
public final class Postgres implements AutoCloseable {
    public static final String BASE_URL = System.getenv().getOrDefault("SLUICE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("SLUICE_PG_USER", "postgres");

    private final String schema;

    private Postgres(String schema) {
        this.schema = schema;
    }

    /** Creates a fresh schema, or skips the test when no server answers (fails under CI=true). */
    public static Postgres schema() {
        String schema = "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(BASE_URL, USER, ""); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL is required under CI=true but " + BASE_URL + " failed: " + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + BASE_URL + " (" + e.getMessage() + "): skipping. Start it, or set SLUICE_PG_URL.");
        }
        return new Postgres(schema);
    }

    public String schemaName() {
        return schema;
    }

    /** A JDBC URL whose search path is this test's schema. */
    public String url() {
        return BASE_URL + (BASE_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(BASE_URL, USER, ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
