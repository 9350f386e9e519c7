package dev.sluice.data;

import dev.sluice.tier.Format;
import java.time.Duration;
import java.util.List;

/**
 * How two tables differ. {@code added}: keys only in b; {@code removed}: keys only in a; {@code changed}: keys in both
 * with different values (for tables without a single-column key, whole rows stand in for keys and nothing is "changed").
 * {@code hashA}/{@code hashB} are the order-independent row-hash sums over all rows (equal tables, equal hashes, across
 * engines). {@code rowsRead} counts rows fetched into Sluice; a full comparison would fetch {@code countA + countB}.
 */
public record Diff(String a, String b, boolean equal, long countA, long countB, String hashA, String hashB, List<Object> added,
                   List<Object> removed, List<Object> changed, long rowsRead, long segmentsHashed, Duration elapsed, String method) {
    public Diff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    /** Rows a full comparison reads: every row of both tables. */
    public long fullComparisonRows() {
        return countA + countB;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(a).append(" vs ").append(b).append(": ").append(equal ? "equal" : "different").append(" (")
                .append(Format.count(countA)).append(" / ").append(Format.count(countB)).append(" rows, hash ").append(hashA)
                .append(equal ? "" : " / " + hashB).append(")");
        if (!equal) {
            sb.append("\n  added   (only in ").append(b).append("): ").append(show(added));
            sb.append("\n  removed (only in ").append(a).append("): ").append(show(removed));
            sb.append("\n  changed: ").append(show(changed));
        }
        sb.append("\n  read ").append(Format.count(rowsRead)).append(" rows (a full comparison reads ").append(Format.count(fullComparisonRows()))
                .append("), ").append(Format.count(segmentsHashed)).append(" segments hashed in the databases, ")
                .append(Format.duration(elapsed)).append(", ").append(method);
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
