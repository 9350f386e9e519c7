package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteException;

/**
 * Driver errors whose true cause is not the statement: a damaged file, a locked database, a read-only folder, a full
 * disk, a duplicate key. Each becomes one line naming the tier and file and what to do; everything else stays an SQL error.
 */
final class SqlErrors {
    // SQLite's primary result codes (the low byte of an extended code such as SQLITE_CONSTRAINT_UNIQUE).
    private static final int BUSY = 5;
    private static final int LOCKED = 6;
    private static final int READONLY = 8;
    private static final int CORRUPT = 11;
    private static final int FULL = 13;
    private static final int CANTOPEN = 14;
    private static final int NOTADB = 26;
    private static final int CONSTRAINT_PRIMARYKEY = 1555;
    private static final int CONSTRAINT_UNIQUE = 2067;

    private SqlErrors() {
    }

    /** SQLite's extended result code, or -1 for other drivers. */
    private static int extended(SQLException e) {
        return e instanceof SQLiteException se ? se.getResultCode().code : -1;
    }

    private static int primary(SQLException e) {
        int x = extended(e);
        return x < 0 ? -1 : x & 0xff;
    }

    /** True for SQLITE_CORRUPT and SQLITE_NOTADB (and their extended codes): the file's pages are damaged. */
    static boolean damaged(SQLException e) {
        int p = primary(e);
        return p == CORRUPT || p == NOTADB;
    }

    /** True when the file starts with SQLite's header: a database whose pages are damaged, not some other file. */
    static boolean looksLikeSqlite(Path file) {
        if (file == null) {
            return false;
        }
        byte[] magic = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(magic.length), magic);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The driver's own words without sqlite-jdbc's "[SQLITE_X] Description (…)" wrapping. */
    static String words(SQLException e) {
        String msg = TierErrors.firstLine(e.getMessage());
        return msg.replaceFirst("^\\[SQLITE_[A-Z_]+]\\s*", "").replaceFirst("^[A-Za-z ,]+\\((.*)\\)$", "$1");
    }

    /** The message for a damaged file, for a statement ({@code sql} non-null) or at open. */
    static SluiceException damaged(String tier, String location, SQLException e, String sql) {
        return new SluiceException(ErrorCode.INTEGRITY, "Tier '" + tier + "': " + location + " is damaged (" + words(e) + ")"
                + (sql == null ? "" : " while running: " + TierErrors.abbreviate(sql)) + ". See what is damaged with "
                + tier + ".integrity() in 'sluice console', then restore the file from a snapshot: 'sluice restore NAME --tier " + tier
                + "' (list them with 'sluice snapshots').", e);
    }

    /** A statement's error whose cause is not the statement, or null when it is an ordinary SQL error. */
    static SluiceException onStatement(Tier t, SQLException e, String sql) {
        String location = t.config().location();
        if (damaged(e)) {
            return damaged(t.name(), location, e, sql);
        }
        int p = primary(e);
        int x = extended(e);
        // CANTOPEN from an ATTACH names the other file, not this tier's folder.
        boolean attach = sql != null && sql.strip().regionMatches(true, 0, "ATTACH", 0, 6);
        if ((p == READONLY || (p == CANTOPEN && !attach)) && !t.readOnly() && t.file() != null) {
            return readOnlyFolder(t.name(), t.file(), e, sql);
        }
        if (p == FULL) {
            return new SluiceException(ErrorCode.IO, "Tier '" + t.name() + "': disk full: " + (t.file() == null ? location
                    : "the disk holding " + t.file() + " is full, or the file reached its max_page_count") + " (" + words(e) + ") while running: "
                    + TierErrors.abbreviate(sql) + ". Nothing was committed; free space and run it again.", e);
        }
        if (x == CONSTRAINT_UNIQUE || x == CONSTRAINT_PRIMARYKEY || "23505".equals(e.getSQLState())) {
            return new SluiceException(ErrorCode.SQL, "Tier '" + t.name() + "': duplicate key in " + duplicate(e)
                    + ": a data conflict, not a mistake in the statement, in: " + TierErrors.abbreviate(sql)
                    + ". Nothing from this statement was written; remove or update the conflicting row, or skip existing keys "
                    + "(INSERT OR IGNORE, ON CONFLICT DO NOTHING).", e);
        }
        return null;
    }

    /** An error while opening a SQLite file whose cause is not the file's path or permissions, or null. */
    static SluiceException onOpen(TierConfig c, SQLException e) {
        if (damaged(e)) {
            return damaged(c.name(), c.location(), e, null);
        }
        int p = primary(e);
        if (p == BUSY || p == LOCKED) {
            return new SluiceException(ErrorCode.LOCKED, "Tier '" + c.name() + "': " + c.location() + " is locked by another process or "
                    + "connection (" + words(e) + "), so it cannot be read now. Find the holder (fuser " + c.sqliteFile()
                    + ") and let it finish, then try again.", e);
        }
        if ((p == READONLY || p == CANTOPEN) && c.sqliteFile() != null && java.nio.file.Files.exists(c.sqliteFile())) {
            return readOnlyFolder(c.name(), c.sqliteFile(), e, null);
        }
        if (p == FULL) {
            return new SluiceException(ErrorCode.IO, "Tier '" + c.name() + "': the disk holding " + c.location() + " is full (" + words(e)
                    + "). Free space and try again.", e);
        }
        return null;
    }

    private static SluiceException readOnlyFolder(String tier, Path file, SQLException e, String sql) {
        Path folder = file.toAbsolutePath().getParent();
        return new SluiceException(ErrorCode.IO, "Tier '" + tier + "': cannot write " + file + ": the file or its folder " + folder
                + " is read-only (" + words(e) + "; SQLite writes a journal file beside the database)"
                + (sql == null ? "" : " while running: " + TierErrors.abbreviate(sql)) + ". Nothing was changed. Make the folder and the file "
                + "writable for this user, or mark the tier \"readOnly\": true in sluice.json to only read it.", e);
    }

    /** "UNIQUE constraint failed: items.name" → "items.name already holds that value"; PostgreSQL names its constraint. */
    private static String duplicate(SQLException e) {
        String w = words(e);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("constraint failed: (.+)$").matcher(w);
        if (m.find()) {
            return (extended(e) == CONSTRAINT_PRIMARYKEY ? "the primary key " : "the unique key ") + m.group(1) + " (" + w + ")";
        }
        java.util.regex.Matcher pg = java.util.regex.Pattern.compile("unique constraint \"([^\"]+)\"").matcher(String.valueOf(e.getMessage()));
        if (pg.find()) {
            String table = e instanceof org.postgresql.util.PSQLException ps && ps.getServerErrorMessage() != null
                    ? ps.getServerErrorMessage().getTable() : null;
            String detail = e instanceof org.postgresql.util.PSQLException ps2 && ps2.getServerErrorMessage() != null
                    ? ps2.getServerErrorMessage().getDetail() : null;
            return "unique constraint " + pg.group(1) + (table == null ? "" : " on table " + table)
                    + (detail == null ? "" : " (" + detail.replaceFirst("\\.$", "") + ")");
        }
        return w;
    }
}
