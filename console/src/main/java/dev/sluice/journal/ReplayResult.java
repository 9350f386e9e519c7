package dev.sluice.journal;

import java.util.List;

/** What a replay did: inputs run, observations matched, fingerprint differences, and the divergence that stopped it (or null). */
public record ReplayResult(int inputs, int observations, List<String> fingerprintDifferences, Divergence divergence, boolean stopped) {
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
