package dev.sluice.error;

/**
 * Every failure Sluice reports, with the process exit status it maps to and what that status means to a script.
 * Exit statuses are API: 0 ok, 1 failure, 2 usage, then one per domain below. Never use an inline number. The CLI's
 * {@code --help} and README's list are made from (and checked against) this enum, so they cannot drift.
 */
public enum ErrorCode {
    FAILURE(1, "failure: a step rolled back by the operator, a diff that found differences, a replay that diverged"),
    USAGE(2, "usage: a bad option or argument; 'run' in step mode with no terminal and no answers (add --yes or --dry-run)"),
    WORKSPACE(3, "workspace: no sluice.json, or one that does not load"),
    TIER_UNAVAILABLE(4, "tier unavailable: a tier that cannot be opened (missing file, server down)"),
    NO_SUCH_TABLE(5, "no such table"),
    SQL(6, "SQL: a statement failed (syntax, constraint, duplicate key)"),
    INTEGRITY(7, "integrity: a damaged tier file, or a failed integrity or foreign-key check"),
    SNAPSHOT(8, "snapshot: a snapshot is missing, exists already, or fails its manifest"),
    LOCKED(9, "locked: another run or process holds a tier"),
    UNSUPPORTED(10, "unsupported: not possible for this engine or here (e.g. pg_dump not on PATH)"),
    EXPECTATION(11, "expectation: an expect(…) of a step failed; the step was rolled back"),
    PLAYBOOK(12, "playbook: a playbook that does not load, or a step that threw"),
    STEP_CHANGED(13, "step changed: an applied step's source was edited (see 'sluice repair')"),
    JOURNAL(14, "journal: a journal that cannot be written, or a broken hash chain"),
    CANCELLED(16, "cancelled: Ctrl-C or SIGTERM; the open step rolled back"),
    IO(17, "I/O: disk full, a read-only file or folder, a file that cannot be read"),
    /** A playbook's preconditions do not hold: every failure listed, nothing written to any tier. */
    PRECONDITION(18, "precondition: a playbook's requires blocks do not hold; nothing was written");

    private final int exitStatus;
    private final String meaning;

    ErrorCode(int exitStatus, String meaning) {
        this.exitStatus = exitStatus;
        this.meaning = meaning;
    }

    public int exitStatus() {
        return exitStatus;
    }

    /** What the exit status tells a script, in a few words (the first word names it), for help texts and the manual. */
    public String meaning() {
        return meaning;
    }
}
