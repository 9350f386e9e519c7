package dev.sluice.tier;

/**
 * Rows and SHA-256 of a table (or a selection of it), in the engine-independent encoding described in README.md
 * ("Checksums"): equal rows give equal checksums in SQLite and PostgreSQL.
 */
public record Checksum(long rows, String sha256) {
    /** The first 12 hex digits, for people; {@link #sha256()} holds the full value. */
    public String shortHash() {
        return sha256.substring(0, 12);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%,d rows sha256:%s…", rows, shortHash());
    }
}
