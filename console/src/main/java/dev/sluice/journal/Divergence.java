package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;

/** Where a replay parted from its recording: the event, the input that produced it, and recorded vs now. */
public record Divergence(long seq, String input, String what, JsonNode recorded, JsonNode now, String hint) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Divergence at seq " + seq + ": " + what + "\n");
        if (input != null) {
            sb.append("  input:    ").append(input.strip().replace("\n", "\n            ")).append('\n');
        }
        sb.append("  recorded: ").append(Observations.show(recorded)).append('\n');
        sb.append("  now:      ").append(Observations.show(now));
        if (hint != null) {
            sb.append('\n').append("  ").append(hint);
        }
        return sb.toString();
    }
}
