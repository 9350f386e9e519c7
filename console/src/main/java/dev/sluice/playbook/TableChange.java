package dev.sluice.playbook;

import dev.sluice.schema.SchemaEdit;
import java.util.List;

/**
 * One table of one tier across a step: rows before → after (null when the table did not exist on that side), whether
 * the step wrote to it, whether its schema (table, indexes, triggers) changed and how ({@code schema}: each column, index
 * or trigger added, dropped or altered), and whether its checksum changed. {@code checksumChanged} is null when it was not compared:
 * only tables the step wrote to or whose count changed are checksummed (two streaming reads each), and a comparison
 * that could not read the committed side says why in {@code note}. {@code checksumBefore}/{@code checksumAfter} are the
 * SHA-256 values compared, null when none was computed (a created or dropped table, or no comparison). A replay or a
 * rehearsed run compares {@code checksumBefore}, so a row changed since the recording stops the step before it commits.
 */
public record TableChange(String tier, String table, Long before, Long after, boolean written, boolean schemaChanged, Boolean checksumChanged,
                          String note, List<SchemaEdit> schema, String checksumBefore, String checksumAfter) {
    public TableChange {
        schema = schema == null ? List.of() : List.copyOf(schema);
    }

    public TableChange(String tier, String table, Long before, Long after, boolean written, boolean schemaChanged, Boolean checksumChanged,
                       String note) {
        this(tier, table, before, after, written, schemaChanged, checksumChanged, note, List.of(), null, null);
    }

    public boolean changed() {
        return written || schemaChanged || !java.util.Objects.equals(before, after) || Boolean.TRUE.equals(checksumChanged);
    }

    @Override
    public String toString() {
        String b = before == null ? "(new)" : dev.sluice.tier.Format.count(before);
        String a = after == null ? "(dropped)" : dev.sluice.tier.Format.count(after);
        String c = checksumChanged == null ? (note == null ? "not written" : note)
                : checksumChanged ? "checksum changed" : "checksum unchanged";
        if (schemaChanged && checksumChanged == null && note == null) {
            c = "schema changed";
        } else if (schemaChanged) {
            c = c + ", schema changed";
        }
        return String.format("%-8s %-24s %10s → %-10s %s", tier, table, b, a, c);
    }
}
