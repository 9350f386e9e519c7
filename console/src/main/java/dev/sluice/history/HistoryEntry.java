package dev.sluice.history;

/**
 * One row of a tier's {@code sluice_history}: a step applied (or repaired) on that tier. Counts are JSON objects
 * {@code {"table": rows}} as of just before and just after the step, inside its transaction.
 */
public record HistoryEntry(long id, String playbook, String step, String checksum, String status, String user, String host,
                           String appliedAt, long durationMs, long rowsChanged, String countsBefore, String countsAfter,
                           String runId) {
    public static final String APPLIED = "applied";
    public static final String REPAIRED = "repaired";

    public String shortChecksum() {
        return checksum == null ? "?" : checksum.substring(0, Math.min(12, checksum.length())) + "…";
    }
}
