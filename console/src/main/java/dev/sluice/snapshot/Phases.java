package dev.sluice.snapshot;

import dev.sluice.tier.TierInternals;
import dev.sluice.tier.TierSet;

/**
 * The phases of one snapshot or restore as progress ({@code snapshot pre: copying tier1}, in bytes; counting, in tables;
 * integrity_check, of unknown size), opened on the tier set's hook ({@link TierInternals#work}): the session turns them
 * into its front end's progress events. The sandbox's copies report nothing ({@link #NONE}).
 */
final class Phases {
    static final Phases NONE = new Phases(null, "");

    private final TierSet tiers;
    private final String label;

    Phases(TierSet tiers, String label) {
        this.tiers = tiers;
        this.label = label;
    }

    /** The same hook under another name (a restore's safety snapshot). */
    Phases named(String other) {
        return new Phases(tiers, other);
    }

    /** A phase of unknown size (an integrity_check, a pg_dump): the front end shows it running, with its elapsed time. */
    TierInternals.Work start(String phase) {
        return start(phase, "", 0, 0);
    }

    /** A phase of {@code total} {@code unit} ("bytes", "tables"), {@code done} of them already done. */
    TierInternals.Work start(String phase, String unit, long total, long done) {
        return tiers == null ? TierInternals.Work.NONE : TierInternals.work(tiers, label + ": " + phase, unit, total, done);
    }
}
