package dev.sluice.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /** As the replay's journal records it ({@code replay} event, phase {@code result}): counts, outcome, the divergence field by field. */
    public ObjectNode toJson() {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("outcome", divergence != null ? "diverged" : stopped ? "stopped" : "matched");
        o.put("inputs", inputs);
        o.put("observations", observations);
        if (reason != null) {
            o.put("reason", reason);
        }
        if (divergence != null) {
            ObjectNode d = o.putObject("divergence");
            if (divergence.seq() >= 0) {
                d.put("seq", divergence.seq());
            }
            d.put("input", divergence.input());
            d.put("what", divergence.what());
            d.set("recorded", divergence.recorded());
            d.set("now", divergence.now());
            d.put("hint", divergence.hint());
        }
        return o;
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
