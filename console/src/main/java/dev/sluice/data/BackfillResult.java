package dev.sluice.data;

import dev.sluice.tier.Format;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a backfill run did: rows and batches committed by this run, the total done so far under its checkpoint name,
 * where it resumed from (null: from the start), overruns of the time cap, and whether every key is now done.
 */
public record BackfillResult(String name, String table, long rows, long batches, long rowsDoneTotal, Object resumedAfter,
                             Object lastKey, int overruns, int finalBatchRows, Duration elapsed, double rowsPerSecond,
                             boolean finished, List<String> notes) {
    public BackfillResult {
        notes = List.copyOf(notes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("backfill '").append(name).append("' on ").append(table).append(": ")
                .append(Format.count(rows)).append(" rows in ").append(Format.count(batches)).append(" batches, ")
                .append(Format.duration(elapsed)).append(String.format(Locale.ROOT, " (%,.0f rows/s)", rowsPerSecond))
                .append(finished ? ", finished" : ", not finished").append(" (").append(Format.count(rowsDoneTotal)).append(" rows done in all)");
        if (resumedAfter != null) {
            sb.append("\n  resumed after key ").append(resumedAfter);
        }
        if (overruns > 0) {
            sb.append("\n  ").append(overruns).append(" batch(es) over the time cap were rolled back and retried; batch size now ")
                    .append(finalBatchRows);
        }
        for (String n : notes) {
            sb.append("\n  note: ").append(n);
        }
        return sb.toString();
    }
}
