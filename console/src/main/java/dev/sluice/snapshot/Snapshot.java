package dev.sluice.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.tier.Format;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A snapshot as its manifest describes it: what was copied, when, with sizes, SHA-256, counts and integrity per file. */
public record Snapshot(String name, String createdAt, String sluiceVersion, String reason, List<SnapshotFile> files,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DamagedCopy> damaged, @JsonIgnore Path dir) {

    public Snapshot {
        damaged = damaged == null ? List.of() : List.copyOf(damaged);
    }

    /**
     * One tier's copy inside a snapshot. {@code copyMillis} is the time the copy took (the part that holds the tier's
     * read lock), {@code checkMillis} the time to hash, count and integrity-check it afterwards. A PostgreSQL tier's
     * copy is a pg_dump custom-format file of its {@code schema}, with Sluice's checksum of each table ({@code checksums},
     * table to {@code rows:sha256}) read in the same transaction snapshot as the dump; both are absent for SQLite.
     */
    public record SnapshotFile(String tier, String file, String source, long bytes, String sha256, Map<String, Long> counts,
                               String integrity, String engineVersion, long copyMillis, long checkMillis,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String schema,
                               @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> checksums) {
        public SnapshotFile(String tier, String file, String source, long bytes, String sha256, Map<String, Long> counts,
                            String integrity, String engineVersion, long copyMillis, long checkMillis) {
            this(tier, file, source, bytes, sha256, counts, integrity, engineVersion, copyMillis, checkMillis, null, null);
        }

        /** True for a pg_dump of a PostgreSQL schema, false for a SQLite database file. */
        @JsonIgnore
        public boolean isPgDump() {
            return schema != null;
        }
    }

    /**
     * The raw bytes of a damaged tier file as they were before a restore replaced it (never read through SQLite), kept
     * for a person to inspect or salvage (sqlite3 '.recover'). Not restorable: {@code restore} only uses {@link #files}.
     * {@code files} are the database file and its -wal/-journal/-shm siblings as found, relative to the snapshot folder.
     */
    public record DamagedCopy(String tier, String source, List<String> files, long bytes, String sha256, String damage) {
    }

    public Snapshot withDir(Path d) {
        return new Snapshot(name, createdAt, sluiceVersion, reason, files, damaged, d);
    }

    public long bytes() {
        return files.stream().mapToLong(SnapshotFile::bytes).sum();
    }

    @Override
    public String toString() {
        return name + "  " + Format.time(createdAt) + "  " + String.join(", ", files.stream().map(SnapshotFile::tier).toList()) + "  "
                + Format.bytes(bytes()) + (reason == null ? "" : "  (" + reason + ")")
                + (damaged.isEmpty() ? "" : "  damaged copy kept of " + String.join(", ", damaged.stream().map(DamagedCopy::tier).toList()));
    }
}
