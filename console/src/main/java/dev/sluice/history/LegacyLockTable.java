package dev.sluice.history;

import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.Optional;

/**
 * The {@code sluice_lock} table older Sluice versions wrote into each tier (tier, owner, host, pid, started, heartbeat,
 * purpose). It is only read now: a row whose process is alive still refuses a run; one whose process is gone on this
 * host (or an empty table) is dropped by the next run that takes the tier, on a writable tier only.
 */
final class LegacyLockTable {
    static final String TABLE = "sluice_lock";

    private LegacyLockTable() {
    }

    static boolean present(Tier tier) {
        return !TierInternals.isClosed(tier) && tier.hasTable(TABLE);
    }

    /** The first row, if the table exists and has one. */
    static Optional<RunLock> holder(Tier tier) {
        if (!present(tier)) {
            return Optional.empty();
        }
        var rows = tier.query("SELECT owner, host, pid, started, purpose FROM " + tier.qualified(TABLE) + " ORDER BY started");
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Row r = rows.get(0);
        return Optional.of(new RunLock(tier.name(), (String) r.get(0), (String) r.get(1), History.num(r.get(2)), (String) r.get(3),
                (String) r.get(4), "a sluice_lock row written by an older Sluice"));
    }

    static void drop(Tier tier) {
        tier.exec("DROP TABLE IF EXISTS " + tier.qualified(TABLE));
    }
}
