package dev.sluice.journal;

/** What a replay did: inputs (or steps) run, observations matched, and the divergence that stopped it (or null). */
public record ReplayResult(int inputs, int observations, Divergence divergence, boolean stopped) {
    public boolean ok() {
        return divergence == null && !stopped;
    }

    @Override
    public String toString() {
        if (divergence != null) {
            return divergence.toString();
        }
        if (stopped) {
            return "Replay stopped after " + inputs + " input(s), " + observations + " observation(s) matched.";
        }
        return "Replay matched: " + inputs + " input(s), " + observations + " observation(s) as recorded.";
    }
}
