package dev.sluice.history;

import dev.sluice.encoding.Json;
import dev.sluice.encoding.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SQLite run locks: an exclusive OS file lock ({@link FileChannel#tryLock()}) on a lock file beside the database
 * ({@code tier1.db.sluice-lock}), or under the workspace's {@code .sluice/locks/} when that folder is not writable or the
 * tier is read-only. The OS drops the lock when its process dies, kill -9 included; the file's content (run, user, host,
 * pid, started) only names the holder in messages. A clean release deletes the file while still holding its lock; an
 * acquirer checks after locking that the path still names the file it locked, so a lock on a just-deleted file is never
 * taken for the real one.
 */
final class LockFiles {
    static final String SUFFIX = ".sluice-lock";
    private static final ObjectMapper JSON = Json.mapper();

    private LockFiles() {
    }

    /** A lock this process holds on a lock file. */
    record Held(Path file, FileChannel channel, FileLock lock) implements AutoCloseable {
        /** Deletes the file while still holding its lock (so nobody locks a file about to vanish), then unlocks. */
        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException | RuntimeException e) {
                // Not possible here (e.g. the folder became read-only): the next run takes the unlocked file over.
            }
            try {
                channel.close(); // releases the lock too
            } catch (IOException e) {
                // The process ending releases it anyway.
            }
        }
    }

    /** What a look at a lock file found: no file, a file nobody locks (left by a process that died), or a holder. */
    record Probe(Path file, boolean exists, boolean locked, RunLock holder) {
    }

    /** Where this tier's lock file goes: beside the database when its folder is writable and the tier may be written. */
    static Path location(Path workspace, TierConfig tier) {
        Path db = realDatabase(tier);
        if (!tier.readOnly() && Files.isWritable(db.getParent())) {
            return beside(db);
        }
        return inWorkspace(workspace, db);
    }

    /** Every place a run may have put this tier's lock file (beside the database, and in this workspace). */
    static List<Path> candidates(Path workspace, TierConfig tier) {
        Path db = realDatabase(tier);
        Path a = beside(db);
        Path b = inWorkspace(workspace, db);
        return a.equals(b) ? List.of(a) : List.of(a, b);
    }

    static Path beside(Path realDb) {
        return realDb.resolveSibling(realDb.getFileName() + SUFFIX);
    }

    static Path inWorkspace(Path workspace, Path realDb) {
        return workspace.toAbsolutePath().normalize().resolve(".sluice").resolve("locks")
                .resolve(Sha256.ofText(realDb.toString()).substring(0, 16) + SUFFIX);
    }

    /** The database's real path (symbolic links resolved), so two workspaces naming one file agree on its lock. */
    static Path realDatabase(TierConfig tier) {
        Path f = tier.sqliteFile().toAbsolutePath().normalize();
        try {
            return f.toRealPath();
        } catch (IOException e) {
            return f;
        }
    }

    /**
     * Takes the lock file's OS lock and writes {@code details} into it; returns null when another process holds it
     * (then {@link #probe} names the holder). The caller has checked that this process does not hold it already.
     */
    static Held tryAcquire(String tierName, Path file, Map<String, Object> details) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot create " + file.getParent() + " for tier '" + tierName + "''s run lock: "
                    + e.getMessage() + ". Make the folder writable.", e);
        }
        for (int attempt = 0; attempt < 10; attempt++) {
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Cannot open the run lock file " + file + " of tier '" + tierName + "': "
                        + e.getMessage() + ". Make it (and its folder) writable for this user.", e);
            }
            boolean keep = false;
            try {
                Object before = fileKey(file);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    return null;
                }
                Object after = fileKey(file);
                if (before == null || !before.equals(after)) {
                    continue; // the holder deleted it as we locked: lock the file that is there now
                }
                byte[] body = JSON.writeValueAsBytes(details);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(body), 0);
                keep = true;
                return new Held(file, ch, lock);
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Cannot lock " + file + " for tier '" + tierName + "': " + e.getMessage() + ".", e);
            } finally {
                if (!keep) {
                    closeQuietly(ch);
                }
            }
        }
        return null;
    }

    /** Looks at a lock file without taking it: a shared lock fails while a holder has its exclusive one. Creates nothing. */
    static Probe probe(String tierName, Path file) {
        if (!Files.exists(file)) {
            return new Probe(file, false, false, null);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return new Probe(file, false, false, null);
        } catch (IOException e) {
            // Unreadable for us: a lock of another user we cannot test. Name the file; the OS lock decides for its owner.
            return new Probe(file, true, true, new RunLock(tierName, null, null, -1, null, null, file.toString()));
        }
        try {
            FileLock l;
            try {
                l = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l != null) {
                RunLock was = read(tierName, file, ch);
                l.release();
                return new Probe(file, true, false, was);
            }
            return new Probe(file, true, true, read(tierName, file, ch));
        } catch (IOException e) {
            return new Probe(file, true, true, new RunLock(tierName, null, null, -1, null, null, file.toString()));
        } finally {
            closeQuietly(ch);
        }
    }

    /** Deletes a lock file nobody holds (left by a process that died); false when someone locked it meanwhile. */
    static boolean deleteIfUnlocked(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return false;
            }
            Files.deleteIfExists(file);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /** Removes a lock file whatever holds it (a holder on another host over a shared file system). */
    static void breakFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot remove the lock file " + file + ": " + e.getMessage() + ". Remove it by hand.", e);
        }
    }

    static Map<String, Object> details(String tier, Path db, Who who, String runId, String purpose, String started) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tier", tier);
        m.put("database", db.toString());
        m.put("run", runId);
        m.put("purpose", purpose);
        m.put("user", who.user());
        m.put("host", who.host());
        m.put("pid", who.pid());
        m.put("started", started);
        return m;
    }

    private static RunLock read(String tierName, Path file, FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 64 * 1024);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // read it all
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                return new RunLock(tierName, null, null, -1, null, null, file.toString());
            }
            return new RunLock(tierName, text(n, "user"), text(n, "host"), n.path("pid").asLong(-1), text(n, "started"),
                    text(n, "purpose"), file.toString());
        } catch (IOException e) {
            return new RunLock(tierName, null, null, -1, null, null, file.toString()); // being written, or damaged
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Object fileKey(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return Objects.requireNonNullElse(a.fileKey(), a.creationTime());
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    static Optional<Probe> firstLocked(List<Probe> probes) {
        return probes.stream().filter(Probe::locked).findFirst();
    }
}
