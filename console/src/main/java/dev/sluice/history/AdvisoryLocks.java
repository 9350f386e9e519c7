package dev.sluice.history;

import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL run locks, as Flyway takes them: a session-level advisory lock ({@code pg_try_advisory_lock(bigint)}) on a
 * connection of its own, held for the whole run, so the server drops it when that session ends (the process died, the
 * network went). The key is a stable hash of {@code "sluice:" + database + "." + schema}. The holder is named from
 * {@code pg_locks} and {@code pg_stat_activity}: the lock connection's {@code application_name} carries the run id and
 * the process id.
 */
final class AdvisoryLocks {
    private static final Pattern APP = Pattern.compile("^sluice (\\S+) pid (\\d+)(?: (\\S*)@(\\S*))?");

    private AdvisoryLocks() {
    }

    /** The lock connection of a run. */
    record Held(Connection connection, long key) implements AutoCloseable {
        @Override
        public void close() {
            try {
                connection.close(); // ends the session, and with it the advisory lock
            } catch (SQLException e) {
                // The server ends it when it notices the connection is gone.
            }
        }
    }

    /** The lock key of the tier's database and schema, as its own connection sees them. */
    static long key(Tier tier) {
        try (Statement st = TierInternals.connection(tier).createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database(), current_schema()")) {
            rs.next();
            return key(rs.getString(1), rs.getString(2));
        } catch (SQLException e) {
            throw TierInternals.fail(tier, e, "SELECT current_database(), current_schema()");
        }
    }

    static long key(String database, String schema) {
        byte[] h = Sha256.of(("sluice:" + database + "." + schema).getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(h, 0, 8).getLong();
    }

    /** Opens the lock connection and takes the lock; null when another session holds it (see {@link #holder}). */
    static Held tryAcquire(Tier tier, long key, Who who, String runId) {
        Properties p = new Properties();
        var config = tier.config();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password().reveal());
        }
        String app = "sluice " + runId + " pid " + who.pid() + " " + who.user() + "@" + who.host();
        p.setProperty("ApplicationName", app.length() > 63 ? app.substring(0, 63) : app);
        Connection c;
        try {
            c = DriverManager.getConnection(config.url(), p);
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Cannot open the run lock connection of tier '" + tier.name() + "' at "
                    + config.location() + ": " + e.getMessage().lines().findFirst().orElse("") + ". Check that the server is up and "
                    + "accepts one more connection.", e);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return new Held(c, key);
                }
            }
        } catch (SQLException e) {
            close(c);
            throw TierInternals.fail(tier, e, "SELECT pg_try_advisory_lock(?)");
        }
        close(c);
        return null;
    }

    /** The session holding the tier's advisory lock, if any, asked on the tier's own connection. */
    static Optional<RunLock> holder(Tier tier, long key) {
        String sql = "SELECT a.pid, a.application_name, a.usename, a.client_addr::text, a.backend_start::text FROM pg_locks l "
                + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                + "AND l.classid::bigint = ? AND l.objid::bigint = ?";
        try (PreparedStatement ps = TierInternals.connection(tier).prepareStatement(sql)) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int backend = rs.getInt(1);
                String app = rs.getString(2);
                String where = "PostgreSQL advisory lock " + key + ", held by backend " + backend
                        + (rs.getString(4) == null ? "" : " from " + rs.getString(4));
                Matcher m = APP.matcher(app == null ? "" : app);
                if (m.find()) {
                    return Optional.of(new RunLock(tier.name(), m.group(3) == null ? rs.getString(3) : m.group(3), m.group(4),
                            Long.parseLong(m.group(2)), rs.getString(5), "run " + m.group(1), where));
                }
                return Optional.of(new RunLock(tier.name(), rs.getString(3), rs.getString(4), -1, rs.getString(5),
                        "application '" + app + "'", where));
            }
        } catch (SQLException e) {
            throw TierInternals.fail(tier, e, sql);
        }
    }

    /** The PostgreSQL backend of a holder, from its description (for the unlock message). */
    static String backend(RunLock l) {
        Matcher m = Pattern.compile("held by backend (\\d+)").matcher(l.where() == null ? "" : l.where());
        return m.find() ? m.group(1) : "?";
    }

    /** Keeps the lock connection in use; false when its session is gone (and the lock with it). */
    static boolean alive(Held h) {
        try {
            return h.connection().isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing held
        }
    }
}
