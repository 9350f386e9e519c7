package dev.sluice.history;

/** A row of {@code sluice_lock}: who holds a tier, since when, and their last sign of life. */
public record RunLock(String tier, String owner, String host, long pid, String started, String heartbeat, String purpose) {
    /** Stale when its process is gone on this host, or silent for longer than {@code silentSeconds} elsewhere. */
    public String staleness(String thisHost, long silentSeconds) {
        if (host != null && host.equals(thisHost)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null
                    : "stale: process " + pid + " is gone on this host";
        }
        try {
            long age = java.time.Duration.between(java.time.Instant.parse(heartbeat), java.time.Instant.now()).getSeconds();
            return age > silentSeconds ? "possibly stale: no heartbeat for " + age + " s" : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return owner + "@" + host + " (pid " + pid + ", " + purpose + ", since " + started + ", last heartbeat " + heartbeat + ")";
    }
}
