package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One tier's driver errors in words: each {@link SQLException} becomes one line with the tier, the statement and the way
 * on ({@link SqlErrors} classifies the causes that are not the statement). Remembers the damage the engine reported, and
 * names this process's own connection when it is the one holding a lock.
 */
final class TierErrors {
    private final Tier tier;
    /** What the engine said when it met a damaged page of this tier's file (null while none was met). */
    private volatile String damage;
    /** The other tiers of this tier's session: asked who holds a lock before a message blames "another connection". */
    private volatile Supplier<? extends Iterable<Tier>> siblings = List::of;

    TierErrors(Tier tier) {
        this.tier = tier;
    }

    /** The other tiers of the session this tier joined. */
    void siblings(Supplier<? extends Iterable<Tier>> others) {
        this.siblings = others;
    }

    /** What the engine reported when a statement met a damaged page of this tier's file, or null when none has. */
    String damage() {
        return damage;
    }

    /** Marks the file damaged with the engine's words (a tier kept open on a damaged first page). */
    void damaged(String words) {
        this.damage = words;
    }

    /** Turns a driver exception into one line with the tier, the statement and the way on. */
    SluiceException fail(SQLException e, String sql) {
        String msg = firstLine(e.getMessage());
        SluiceException known = SqlErrors.onStatement(tier, e, sql);
        if (SqlErrors.damaged(e)) {
            damage = SqlErrors.words(e);
        }
        if (known != null) {
            return known;
        }
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode rc = se.getResultCode();
            if (rc == SQLiteErrorCode.SQLITE_BUSY || rc == SQLiteErrorCode.SQLITE_LOCKED) {
                String own = ownHolder();
                if (own != null) {
                    return new SluiceException(ErrorCode.LOCKED, "Tier '" + tier.name() + "' is locked by " + own + " (" + msg + ") while running: "
                            + abbreviate(sql) + ". End that tier's transaction first (commit or roll back the step), then try again.", e);
                }
                return new SluiceException(ErrorCode.LOCKED, "Tier '" + tier.name() + "' is locked by another connection (" + msg
                        + ") while running: " + abbreviate(sql) + ". Find the other writer (fuser " + tier.file() + ") or try again.", e);
            }
            if (rc == SQLiteErrorCode.SQLITE_INTERRUPT) {
                return new SluiceException(ErrorCode.CANCELLED, "Tier '" + tier.name() + "': cancelled: " + abbreviate(sql) + ".", e);
            }
            if (rc == SQLiteErrorCode.SQLITE_READONLY) {
                return new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' is read-only (" + msg + "); refused: "
                        + abbreviate(sql) + ".", e);
            }
            msg = msg.replaceFirst("^\\[SQLITE_[A-Z_]+]\\s*", "").replaceFirst("^[A-Za-z ]+\\((.*)\\)$", "$1");
        }
        if ("57014".equals(e.getSQLState())) {
            return new SluiceException(ErrorCode.CANCELLED, "Tier '" + tier.name() + "': cancelled: " + abbreviate(sql) + ".", e);
        }
        return new SluiceException(ErrorCode.SQL, "Tier '" + tier.name() + "': " + msg + " in: " + abbreviate(sql)
                + ". Fix the statement and run it again.", e);
    }

    /**
     * Which of this process's own connections holds this tier's file, in words, or null: another tier of the session
     * that has the file ATTACHed, or that is the same file with a transaction open. Locks cannot be read from SQLite,
     * so this names the likely holder; a null means none of ours does.
     */
    String ownHolder() {
        Path mine = tier.file();
        if (mine == null) {
            return null;
        }
        Path me = mine.toAbsolutePath().normalize();
        for (Tier t : siblings.get()) {
            if (t == tier || t.isClosed() || t.engine() != Engine.SQLITE) {
                continue;
            }
            if (t.file() != null && t.file().toAbsolutePath().normalize().equals(me) && t.inTransaction()) {
                return "this Sluice process's own connection to tier '" + t.name() + "' (same file, transaction open)";
            }
            try (Statement st = t.ownConnection().createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
                while (rs.next()) {
                    String f = rs.getString(3);
                    if (!"main".equals(rs.getString(2)) && f != null && !f.isEmpty() && Path.of(f).toAbsolutePath().normalize().equals(me)) {
                        return "this Sluice process's own connection to tier '" + t.name() + "', which has " + me.getFileName()
                                + " ATTACHed as '" + rs.getString(2) + "'" + (t.inTransaction() ? " inside its open transaction" : "");
                    }
                }
            } catch (SQLException e) {
                // That connection cannot answer now: not named.
            }
        }
        return null;
    }

    /** The first line of a driver message. */
    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.lines().findFirst().orElse(s).trim();
    }

    /** A statement on one line, cut at 100 characters, for messages. */
    static String abbreviate(String sql) {
        String s = sql.strip().replaceAll("\\s+", " ");
        return s.length() <= 100 ? s : s.substring(0, 99) + "…";
    }
}
