package dev.sluice.schema;

/** What a schema helper did: {@code changed} false means it found the change already there and did nothing. */
public record SchemaChange(String tier, String verb, String object, boolean changed, String detail) {
    @Override
    public String toString() {
        return verb + " " + object + " on " + tier + ": " + (changed ? "done" : "already there, nothing to do")
                + (detail == null ? "" : " (" + detail + ")");
    }
}
