package dev.sluice.playbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Commit intents for steps that wrote to more than one tier. SQLite cannot commit two files atomically through two
 * connections, so before the first commit the runner writes (and fsyncs) {@code .sluice/intents/RUN-STEP.json} in the
 * workspace naming the tiers in commit order; after the last commit it deletes it. A file still there at the next start
 * means a crash between commits: each tier's history says whether its part committed.
 */
final class Intents {
    /**
     * One pending multi-tier commit. {@code tiers}: in commit order. {@code snapshots}: for the tiers that commit before
     * the last unit, the pre-step snapshot file (relative to the intent folder) that recovery restores them from.
     * {@code params}: the run's {@code -p} values, so that finishing the step runs it as the interrupted run did (absent
     * in intents written before they were recorded).
     */
    public record Intent(String runId, String playbook, String step, String checksum, List<String> tiers, String started,
                         java.util.Map<String, String> snapshots, java.util.Map<String, String> params) {
        public Intent {
            snapshots = snapshots == null ? java.util.Map.of() : java.util.Map.copyOf(snapshots);
        }

        public Intent(String runId, String playbook, String step, String checksum, List<String> tiers, String started) {
            this(runId, playbook, step, checksum, tiers, started, java.util.Map.of(), null);
        }
    }

    /** The suffix of a write in progress; such a file is never an intent. */
    private static final String TMP = ".tmp";
    private final Path dir;
    private final ObjectMapper json = Json.mapper();

    /** The intents kept in a workspace's state folder ({@link dev.sluice.workspace.Workspace#stateDir()}). */
    public Intents(Path stateDir) {
        this.dir = stateDir.resolve("intents");
    }

    /** The folder of one run's pre-step snapshots for one step (deleted with its intent). */
    public Path snapshotDir(String runId, String step) {
        return dir.resolve(runId + "-" + Integer.toHexString(step.hashCode()) + ".snapshots");
    }

    /** Where a snapshot named in an intent lives. */
    public Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** The scratch folder where finishing a partial step keeps copies of its committed tiers' pre-step snapshots. */
    Path finishDir(Intent i) {
        return dir.resolve(i.runId() + "-" + Integer.toHexString(i.step().hashCode()) + ".finish");
    }

    /** Deletes an intent and its pre-step snapshots. */
    public void deleteWithSnapshots(Path f, Intent i) {
        delete(f);
        MultiTierCommit.deleteTree(snapshotDir(i.runId(), i.step()));
        MultiTierCommit.deleteTree(finishDir(i));
    }

    /**
     * Writes the intent atomically: a temporary file in the same folder, fsynced, then moved into place in one step, so a
     * full disk or a crash leaves either no intent or a whole one, never a half-written file under the real name.
     */
    public Path write(Intent intent) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(intent.runId() + "-" + Integer.toHexString(intent.step().hashCode()) + ".json");
            tmp = Files.createTempFile(dir, ".intent-", TMP);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(json.writeValueAsBytes(intent));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            syncFolder();
            return f;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot record the commit intent in " + dir + " (" + e.getMessage()
                    + "); nothing was committed. Check free space and permissions.", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next start clears it (clearUnreadable)
                }
            }
        }
    }

    /** Makes the rename itself durable (the folder's entry), where the platform allows opening a folder. */
    private void syncFolder() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not possible on every platform; the file's own contents are already on disk
        }
    }

    /**
     * Deletes intents that cannot be read (empty, cut short, not JSON) and temporary files of writes that never finished,
     * returning one note per intent cleared. An intent is written whole before the first commit of its step, so one that
     * never became whole had no commit after it: nothing was committed under it.
     */
    public List<String> clearUnreadable() {
        List<String> notes = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return notes;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        } catch (IOException e) {
            return notes;
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (name.endsWith(TMP)) {
                delete(p); // a write that never finished and was never moved into place
                continue;
            }
            if (!name.endsWith(".json")) {
                continue;
            }
            String what;
            try {
                long size = Files.size(p);
                if (size == 0) {
                    what = "empty";
                } else {
                    Intent i = json.readValue(p.toFile(), Intent.class);
                    if (i != null && i.runId() != null && i.step() != null && i.tiers() != null) {
                        continue;
                    }
                    what = "incomplete";
                }
            } catch (IOException e) {
                what = "unreadable";
            }
            delete(p);
            notes.add("Cleared the " + what + " commit intent " + p + ": it was never written whole (a full disk or a crash while "
                    + "writing it), and it is written before a step's first commit, so nothing was committed under it.");
        }
        return notes;
    }

    public List<Path> pending() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public Intent read(Path f) {
        try {
            return json.readValue(f.toFile(), Intent.class);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Commit intent " + f + " is unreadable (" + e.getMessage().lines().findFirst()
                    .orElse("?").strip() + "). Check the tiers' sluice_history by hand, then delete the file.", e);
        }
    }

    public void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // Left behind: the next start reports it again, which is the safe side.
        }
    }

    public List<Intent> all() {
        List<Intent> out = new ArrayList<>();
        for (Path p : pending()) {
            out.add(read(p));
        }
        return out;
    }
}
