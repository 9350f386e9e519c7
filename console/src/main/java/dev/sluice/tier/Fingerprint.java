package dev.sluice.tier;

import java.util.Map;

/**
 * What a tier is right now: engine and version, schema hash, per-table counts, file size and journal mode. {@code counts}
 * is null only in a journal header whose counts come later (see the README's journal format).
 * Serialises to JSON with Jackson; seed 000's {@code migration-plan-{DATE}.json} is a list of these.
 */
public record Fingerprint(String tier, String engine, String engineVersion, String schemaSha256,
                          Map<String, Long> counts, Long fileBytes, String journalMode, String takenAt) {
    /** What the schema hash reads for a tier whose file is damaged: nothing could be counted. */
    public static final String DAMAGED = "damaged";

    /** The fingerprint of a tier whose file could not be read through (damaged pages): engine and size only. */
    public static Fingerprint damaged(String tier, String engine, String engineVersion, Long fileBytes) {
        return new Fingerprint(tier, engine, engineVersion, DAMAGED, Map.of(), fileBytes, null, java.time.Instant.now().toString());
    }

    @Override
    public String toString() {
        if (DAMAGED.equals(schemaSha256)) {
            return tier + ": " + engine + " " + engineVersion + ", damaged" + (fileBytes == null ? "" : ", " + Format.bytes(fileBytes));
        }
        if (counts == null) {
            return String.format(java.util.Locale.ROOT, "%s: %s %s, schema %s…, rows not counted%s%s", tier, engine, engineVersion,
                    schemaSha256.substring(0, 12), fileBytes == null ? "" : ", " + Format.bytes(fileBytes), journalMode == null ? "" : ", journal " + journalMode);
        }
        long rows = counts.values().stream().mapToLong(Long::longValue).sum();
        return String.format(java.util.Locale.ROOT, "%s: %s %s, schema %s…, %d tables, %,d rows%s%s", tier, engine, engineVersion,
                schemaSha256.substring(0, 12), counts.size(), rows,
                fileBytes == null ? "" : ", " + Format.bytes(fileBytes), journalMode == null ? "" : ", journal " + journalMode);
    }
}
