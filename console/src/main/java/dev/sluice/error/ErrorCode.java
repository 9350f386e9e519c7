package dev.sluice.error;

/**
 * Every failure Sluice reports, with the process exit status it maps to.
 * Exit statuses are API: 0 ok, 1 failure, 2 usage, then one per domain below. Never use an inline number.
 */
public enum ErrorCode {
    FAILURE(1),
    USAGE(2),
    WORKSPACE(3),
    TIER_UNAVAILABLE(4),
    NO_SUCH_TABLE(5),
    SQL(6),
    INTEGRITY(7),
    SNAPSHOT(8),
    LOCKED(9),
    UNSUPPORTED(10),
    EXPECTATION(11),
    PLAYBOOK(12),
    STEP_CHANGED(13),
    JOURNAL(14),
    CANCELLED(16),
    IO(17),
    /** A playbook's preconditions do not hold: every failure listed, nothing written to any tier. */
    PRECONDITION(18);

    private final int exitStatus;

    ErrorCode(int exitStatus) {
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
