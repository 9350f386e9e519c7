package dev.sluice.history;

/**
 * Who holds a tier's run lock, for messages: the run's user, host and process, since when, what it runs, and where the
 * lock lives ({@code where}: the lock file, the PostgreSQL advisory lock, or an older Sluice's {@code sluice_lock} row).
 * The lock itself is the operating system's file lock or PostgreSQL's session lock; these details only describe it.
 */
record RunLock(String tier, String owner, String host, long pid, String started, String purpose, String where) {
    /** True when the holder is a process on {@code thisHost} that is still running. */
    public boolean aliveOn(String thisHost) {
        return host != null && host.equals(thisHost) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** True when the holder's process is known to be gone: it ran on {@code thisHost} and no process has its pid now. */
    public boolean goneOn(String thisHost) {
        return host != null && host.equals(thisHost) && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public String toString() {
        return (owner == null ? "?" : owner) + "@" + (host == null ? "?" : host) + " (pid " + pid
                + (purpose == null || purpose.isEmpty() ? "" : ", " + purpose) + (started == null ? "" : ", since " + dev.sluice.tier.Format.time(started)) + ")";
    }
}
