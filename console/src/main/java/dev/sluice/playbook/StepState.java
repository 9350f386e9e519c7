package dev.sluice.playbook;

/** Where a step stands against the history of the workspace's tiers. */
public enum StepState {
    /** Not applied on any tier. */
    PENDING,
    /** Applied, and its source is what was applied. */
    APPLIED,
    /** Applied, but its source changed since: refused until reverted or repaired. */
    CHANGED,
    /** Committed on only some of the tiers it wrote (a crash record says so): the next run restores and re-runs it. */
    PARTIAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
