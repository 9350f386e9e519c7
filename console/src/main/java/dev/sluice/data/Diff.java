package dev.sluice.data;

import dev.sluice.tier.Format;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How two tables differ. {@code added}: keys only in b; {@code removed}: keys only in a; {@code changed}: keys in both
 * with different values (for tables without a single-column key, whole rows stand in for keys and nothing is "changed";
 * rows whose key is NULL are compared as whole rows and listed under a null key).
 * {@code hashA}/{@code hashB} are the order-independent row-hash sums over all rows (equal tables, equal hashes, across
 * engines) when the method hashed the tables (bisection, tables without a single-column key), and null when it compared
 * rows without hashing them (compared in SQLite with a file attached, streamed merge): use {@code Tier.checksum} for a
 * table's hash. {@code rowsRead} counts rows fetched into Sluice; a full comparison would fetch {@code countA + countB}.
 * {@code method} says how the tables were compared, and why that way.
 */
public record Diff(String a, String b, boolean equal, long countA, long countB, String hashA, String hashB, List<Object> added,
                   List<Object> removed, List<Object> changed, long rowsRead, long segmentsHashed, Duration elapsed, String method) {
    public Diff {
        // Not List.copyOf: a NULL key (a SQLite rowid table's key may hold some) is listed as null.
        added = Collections.unmodifiableList(new ArrayList<>(added));
        removed = Collections.unmodifiableList(new ArrayList<>(removed));
        changed = Collections.unmodifiableList(new ArrayList<>(changed));
    }

    /** Rows a full comparison reads: every row of both tables. */
    public long fullComparisonRows() {
        return countA + countB;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(a).append(" vs ").append(b).append(": ").append(equal ? "equal" : "different").append(" (")
                .append(Format.count(countA)).append(" / ").append(Format.count(countB)).append(" rows")
                .append(hashA == null ? "" : ", hash " + hashA + (equal ? "" : " / " + hashB)).append(")");
        if (!equal) {
            sb.append("\n  added   (only in ").append(b).append("): ").append(show(added));
            sb.append("\n  removed (only in ").append(a).append("): ").append(show(removed));
            sb.append("\n  changed: ").append(show(changed));
        }
        sb.append("\n  read ").append(Format.count(rowsRead)).append(" rows (a full comparison reads ").append(Format.count(fullComparisonRows()))
                .append("), ").append(segmentsHashed == 0 ? "" : Format.count(segmentsHashed) + " segments hashed in the databases, ")
                .append(Format.duration(elapsed)).append("\n  method: ").append(method);
        return sb.toString();
    }

    private static String show(List<Object> keys) {
        if (keys.isEmpty()) {
            return "none";
        }
        String s = keys.size() <= 20 ? keys.toString() : keys.subList(0, 20) + " … (" + Format.count(keys.size()) + " in all)";
        return s;
    }
}
