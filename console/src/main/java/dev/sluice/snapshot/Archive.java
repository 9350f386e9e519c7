package dev.sluice.snapshot;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Identifiers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Archiving a retired SQLite file in place: {@code FILE} becomes {@code FILE<suffix>} (seed 003's
 * {@code mv proposals.db proposals.db.archived_$TIMESTAMP}). Moving a database under an open connection is how SQLite
 * files get corrupted (its journal is named after the path, so a crash after the move leaves a hot journal beside
 * nothing, or beside a new file of the same name), so this works only on a file nobody has open: {@link #requireUnused}
 * before the caller closes its own connection, {@link #move} after.
 */
public final class Archive {
    private Archive() {
    }

    /** What was archived: where it went and the moved file's size, SHA-256, row counts and integrity_check. */
    public record Archived(String tier, String from, String to, long bytes, String sha256, Map<String, Long> counts, String integrity) {
        @Override
        public String toString() {
            return "archived tier '" + tier + "': " + from + " → " + to + " (" + bytes + " bytes, sha256 " + sha256.substring(0, 12)
                    + "…, integrity_check " + integrity + ", rows " + counts + ")";
        }
    }

    /**
     * Refuses when another connection holds any lock on the file: an exclusive lock is taken and released at once,
     * without waiting, from a connection of its own (the caller's own connections must be outside a transaction).
     */
    public static void requireUnused(String tier, Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("BEGIN EXCLUSIVE");
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.LOCKED, "Tier '" + tier + "' (" + file + ") is in use by another connection ("
                    + e.getMessage() + "); it was not archived. Stop the application that has it open, then run the step again.", e);
        }
    }

    /** Moves a file that is no longer open to {@code file + suffix} and checks the moved file. */
    public static Archived move(String tier, Path file, String suffix) {
        if (suffix == null || suffix.isBlank() || suffix.contains("/") || suffix.contains("\\")) {
            throw new SluiceException(ErrorCode.USAGE, "archive(" + tier + ", '" + suffix + "'): the suffix is appended to the file name, "
                    + "e.g. '.archived_20251122_120000'; it may not be empty or contain a path separator.");
        }
        Path to = file.resolveSibling(file.getFileName() + suffix);
        if (Files.exists(to)) {
            throw new SluiceException(ErrorCode.IO, "Cannot archive tier '" + tier + "': " + to + " already exists. Nothing was moved; "
                    + "choose another suffix (timestamp).");
        }
        for (String side : List.of("-journal", "-wal")) {
            Path p = file.resolveSibling(file.getFileName() + side);
            if (Files.exists(p)) {
                throw new SluiceException(ErrorCode.LOCKED, "Cannot archive tier '" + tier + "': " + p + " exists (another connection "
                        + "has the database open, or a writer crashed). Nothing was moved; open the file once with sqlite3 to recover it, then run again.");
            }
        }
        try {
            Files.move(file, to, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-shm"));
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot move " + file + " to " + to + ": " + e.getMessage() + ".", e);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        List<String> check = new ArrayList<>();
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        try (Connection c = ro.createConnection("jdbc:sqlite:" + to.toAbsolutePath()); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + Identifiers.quote(t))) {
                    counts.put(t, rs.getLong(1));
                }
            }
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) {
                    check.add(rs.getString(1));
                }
            }
            return new Archived(tier, file.toString(), to.toString(), Files.size(to), Snapshots.sha256(to), counts, String.join("; ", check));
        } catch (SQLException | IOException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Archived " + file + " as " + to + " but cannot read it back: " + e.getMessage()
                    + ". Check the file before relying on it.", e);
        }
    }
}
