package dev.sluice.data;

import dev.sluice.tier.Checksum;
import dev.sluice.tier.Format;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one table copy did: rows, time, rate, how (method), and the verification: source and target checksums over the
 * copied columns (null when not compared), {@code verified} when both count and checksum matched. {@code elapsed} is the
 * load (for a standalone copy including its commit; for a consolidation the commit is added to the last table's time),
 * {@code verifyTime} the comparison after it.
 */
public record CopyResult(String source, String target, long rows, Duration elapsed, double rowsPerSecond, String method,
                         Checksum sourceChecksum, Checksum targetChecksum, boolean verified, Duration verifyTime,
                         List<String> notes) {
    public CopyResult {
        notes = List.copyOf(notes);
    }

    /** The same result with {@code extra} added to the load time (the commit, measured after the result was made). */
    CopyResult plusLoadTime(Duration extra) {
        Duration e = elapsed.plus(extra);
        return new CopyResult(source, target, rows, e, rows / Math.max(e.toNanos() / 1e9, 1e-9), method, sourceChecksum, targetChecksum,
                verified, verifyTime, notes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("copied ").append(Format.count(rows)).append(" rows ").append(source).append(" → ").append(target)
                .append(" in ").append(Format.duration(elapsed))
                .append(String.format(Locale.ROOT, " (%,.0f rows/s, %s)", rowsPerSecond, method));
        if (verified && targetChecksum == null) {
            sb.append("\n  verified by count (the target held rows before)");
        } else if (verified) {
            sb.append("\n  verified: count and checksum match (").append(targetChecksum).append(", ")
                    .append(Format.duration(verifyTime)).append(")");
        } else if (sourceChecksum == null) {
            sb.append("\n  not verified by checksum");
        } else {
            sb.append("\n  source ").append(sourceChecksum).append(", target ").append(targetChecksum);
        }
        for (String n : notes) {
            sb.append("\n  note: ").append(n);
        }
        return sb.toString();
    }
}
