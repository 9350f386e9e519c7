package dev.sluice.journal;

/**
 * What a replay did: inputs (or steps) run, observations matched, and the divergence that stopped it (or null); or
 * that it stopped before the end ({@code stopped}), and why when it was not the operator's answer ({@code reason}).
 */
public record ReplayResult(int inputs, int observations, Divergence divergence, boolean stopped, String reason) {
    public ReplayResult(int inputs, int observations, Divergence divergence, boolean stopped) {
        this(inputs, observations, divergence, stopped, null);
    }

    /** A replay that stopped early because of {@code reason} (a journal in doubt, nothing to replay). */
    static ReplayResult stoppedEarly(int inputs, int observations, String reason) {
        return new ReplayResult(inputs, observations, null, true, reason);
    }

    public boolean ok() {
        return divergence == null && !stopped;
    }

    @Override
    public String toString() {
        if (divergence != null) {
            return divergence.toString();
        }
        if (stopped && reason != null) {
            return "Replay stopped early after " + inputs + " input(s), " + observations + " observation(s) matched: " + reason;
        }
        if (stopped) {
            return "Replay stopped after " + inputs + " input(s), " + observations + " observation(s) matched.";
        }
        return "Replay matched: " + inputs + " input(s), " + observations + " observation(s) as recorded.";
    }
}
