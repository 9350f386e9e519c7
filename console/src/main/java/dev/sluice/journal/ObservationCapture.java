package dev.sluice.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.ArrayList;
import java.util.List;

/** Collects today's observations, in the journal's normalised form, while a replayed input or step runs. */
final class ObservationCapture implements TierInternals.Listener {
    private final List<ObjectNode> seen = new ArrayList<>();

    @Override
    public synchronized void observed(Tier tier, String call, List<Object> args, Object result) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("tier", tier.name());
        o.put("call", call);
        o.set("args", Observations.roundTrip(Journal.MAPPER.valueToTree(args)));
        o.set("result", Observations.normalise(result));
        seen.add(o);
    }

    synchronized List<ObjectNode> seen() {
        return List.copyOf(seen);
    }

    synchronized void clear() {
        seen.clear();
    }

    /** {@code tier.call("arg", …)} as people read it. */
    static String describe(ObjectNode o) {
        String tier = o.path("tier").asText("");
        return (tier.isEmpty() ? "" : tier + ".") + o.path("call").asText() + MarkdownExport.args(o.path("args"));
    }

    /** The first way {@code seen} departs from {@code recorded} (missing, another call, another value), or null. */
    static Divergence firstDifference(List<ObjectNode> recorded, List<ObjectNode> seen, String label) {
        for (int k = 0; k < recorded.size(); k++) {
            ObjectNode rec = recorded.get(k);
            long seq = rec.path("seq").asLong();
            if (k >= seen.size()) {
                return new Divergence(seq, label, "recorded " + describe(rec) + " was not observed today", rec.path("result"), null, null);
            }
            ObjectNode now = seen.get(k);
            boolean sameCall = rec.path("call").asText().equals(now.path("call").asText())
                    && rec.path("tier").asText().equals(now.path("tier").asText()) && rec.path("args").equals(now.path("args"));
            if (!sameCall) {
                return new Divergence(seq, label, "recorded " + describe(rec) + " but today observed " + describe(now), rec.path("result"),
                        now.path("result"), null);
            }
            if (!rec.path("result").equals(now.path("result"))) {
                return new Divergence(seq, label, describe(rec) + " differs", rec.path("result"), now.path("result"), hint(rec, now));
            }
        }
        return null;
    }

    private static String hint(ObjectNode rec, ObjectNode now) {
        var r = rec.path("result");
        var n = now.path("result");
        if (r.has("rows") && n.has("rows")) {
            long d = n.path("rows").asLong() - r.path("rows").asLong();
            return d == 0 ? "Same row count: some row's content changed. Compare with diff(...) against a copy of the recorded data."
                    : "Row count differs by " + (d > 0 ? "+" : "") + d + ".";
        }
        return null;
    }
}
