package dev.sluice.history;

import java.util.List;

/** What {@code migrate(tier, dir)} did: the files it applied now and those already applied (unchanged). */
public record MigrateResult(String tier, String dir, List<String> applied, List<String> alreadyApplied) {
    public MigrateResult {
        applied = List.copyOf(applied);
        alreadyApplied = List.copyOf(alreadyApplied);
    }

    @Override
    public String toString() {
        return "migrate " + tier + " from " + dir + ": " + applied.size() + " applied" + (applied.isEmpty() ? "" : " " + applied)
                + ", " + alreadyApplied.size() + " already applied";
    }
}
