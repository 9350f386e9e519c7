package dev.sluice.data;

import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.time.Duration;

/** A backfill in a JVM of its own, for the kill-and-resume test: args are the database file and the pause per batch (ms). */
public final class BackfillChild {
    static final String SQL = "UPDATE t SET v = v * 2 + 1, applied = applied + 1 WHERE id BETWEEN :lo AND :hi";

    private BackfillChild() {
    }

    public static void main(String[] args) {
        try (Tier t = DataTiers.sqlite(Path.of(args[0]))) {
            Backfill.sql(t, SQL, BackfillOptions.defaults().batchRows(200).pause(Duration.ofMillis(Long.parseLong(args[1]))).progress(false));
        }
    }
}
