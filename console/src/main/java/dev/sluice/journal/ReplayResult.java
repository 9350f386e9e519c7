package dev.sluice.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a replay did: inputs (or steps) run, observations matched, and the divergence that stopped it (or null). */
public record ReplayResult(int inputs, int observations, Divergence divergence, boolean stopped) {
    public boolean ok() {
        return divergence == null && !stopped;
    }

    /** As the replay's journal records it ({@code replay} event, phase {@code result}): counts, outcome, the divergence field by field. */
    public ObjectNode toJson() {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("outcome", divergence != null ? "diverged" : stopped ? "stopped" : "matched");
        o.put("inputs", inputs);
        o.put("observations", observations);
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
        if (stopped) {
            return "Replay stopped after " + inputs + " input(s), " + observations + " observation(s) matched.";
        }
        return "Replay matched: " + inputs + " input(s), " + observations + " observation(s) as recorded.";
    }
}
