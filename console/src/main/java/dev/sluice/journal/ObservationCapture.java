package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects today's observations, in the journal's normalised form, while a replayed input or step runs: the facts DSL
 * calls return and, from the console, what each input showed ({@link #shown}).
 */
final class ObservationCapture implements TierInternals.Listener {
    private final List<ObjectNode> seen = new ArrayList<>();
    /** The latest results of DSL calls (not of shown values), as the journal keeps them to leave a repeated value out. */
    private final java.util.ArrayDeque<JsonNode> results = new java.util.ArrayDeque<>();
    private final boolean recordsShown;
    private final List<Secret> secrets;

    /** Captures DSL facts and shown values alike. */
    ObservationCapture() {
        this(true, List.of());
    }

    /**
     * {@code recordsShown} false for a journal written before shown values were observations (format 1): what the
     * console shows today is then not captured, so it cannot read as something the recording never saw.
     */
    ObservationCapture(boolean recordsShown, List<Secret> secrets) {
        this.recordsShown = recordsShown;
        this.secrets = List.copyOf(secrets);
    }

    @Override
    public synchronized void observed(Tier tier, String call, List<Object> args, Object result) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("tier", tier.name());
        o.put("call", call);
        o.set("args", Observations.roundTrip(Journal.MAPPER.valueToTree(args)));
        o.set("result", Observations.normalise(result));
        seen.add(o);
        results.addLast(o.get("result"));
        if (results.size() > Observations.RECENT_RESULTS) {
            results.removeFirst();
        }
    }

    /** What the console showed for the input being replayed, kept as the journal keeps it ({@link Journal#shown}). */
    synchronized void shown(Object value, boolean marked) {
        if (!recordsShown) {
            return;
        }
        ObjectNode o = Observations.shown(value, marked, results);
        if (o != null) {
            seen.add(Observations.redacted(o, secrets));
        }
    }

    synchronized List<ObjectNode> seen() {
        return List.copyOf(seen);
    }

    synchronized void clear() {
        seen.clear();
        results.clear();
    }

    /** {@code tier.call("arg", …)} as people read it; a shown value as what it is. */
    static String describe(ObjectNode o) {
        if (o.path("call").asText().equals(Observations.VALUE)) {
            return "the value shown";
        }
        String tier = o.path("tier").asText("");
        return (tier.isEmpty() ? "" : tier + ".") + o.path("call").asText() + MarkdownExport.args(o.path("args"));
    }

    /**
     * The first way {@code seen} departs from {@code recorded} (missing, another call, another value), or null. A value
     * recorded as varying is not compared; when the input called {@code varies(…)}, none of its values or arguments is.
     */
    static Divergence firstDifference(List<ObjectNode> recorded, List<ObjectNode> seen, String label) {
        boolean marked = recorded.stream().anyMatch(o -> Observations.MARKED.equals(o.path("varies").asText()));
        for (int k = 0; k < recorded.size(); k++) {
            ObjectNode rec = recorded.get(k);
            long seq = rec.path("seq").asLong();
            if (k >= seen.size()) {
                return new Divergence(seq, label, "recorded " + describe(rec) + " was not observed today", rec.path("result"), null, null);
            }
            ObjectNode now = seen.get(k);
            boolean sameCall = rec.path("call").asText().equals(now.path("call").asText())
                    && rec.path("tier").asText().equals(now.path("tier").asText()) && (marked || rec.path("args").equals(now.path("args")));
            if (!sameCall) {
                return new Divergence(seq, label, "recorded " + describe(rec) + " but today observed " + describe(now), rec.path("result"),
                        now.path("result"), null);
            }
            if (!marked && !rec.has("varies") && !sameResult(rec.path("result"), now.path("result"))) {
                return new Divergence(seq, label, describe(rec) + " differs", rec.path("result"), now.path("result"), hint(rec, now));
            }
        }
        return null;
    }

    /** Rows compare by count and digest (their kept text is for people, and column names differ between engines); the rest as parsed JSON. */
    private static boolean sameResult(JsonNode r, JsonNode n) {
        if (r.has("head") && r.has("sha256")) {
            return r.path("rows").equals(n.path("rows")) && r.path("sha256").equals(n.path("sha256"));
        }
        return r.equals(n);
    }

    private static final String MARK_IT = "(A value that cannot repeat, such as a time, a random number or a generated id, is recorded inside "
            + "varies(…), and replay does not compare it.)";

    private static String hint(ObjectNode rec, ObjectNode now) {
        var r = rec.path("result");
        var n = now.path("result");
        if (r.has("head") && n.has("head")) {
            return firstDifferentRow(r, n) + "\n  " + MARK_IT;
        }
        if (rec.path("call").asText().equals(Observations.VALUE)) {
            return MARK_IT;
        }
        if (r.has("rows") && n.has("rows")) {
            long d = n.path("rows").asLong() - r.path("rows").asLong();
            return d == 0 ? "Same row count: some row's content changed. Compare with diff(...) against a copy of the recorded data."
                    : "Row count differs by " + (d > 0 ? "+" : "") + d + ".";
        }
        return null;
    }

    /** The first row whose hash differs among the rows kept, recorded against now; or where the difference must lie. */
    private static String firstDifferentRow(JsonNode r, JsonNode n) {
        JsonNode rh = r.path("headHashes");
        JsonNode nh = n.path("headHashes");
        int kept = Math.max(rh.size(), nh.size());
        for (int i = 0; i < kept; i++) {
            if (!rh.path(i).equals(nh.path(i))) {
                List<String> cols = new ArrayList<>();
                r.path("columns").forEach(c -> cols.add(c.asText()));
                return "first difference at row " + (i + 1) + " (" + String.join(" | ", cols) + "):\n"
                        + "    recorded: " + row(r, i) + "\n"
                        + "    now:      " + row(n, i);
            }
        }
        long d = n.path("rows").asLong() - r.path("rows").asLong();
        return "The first " + kept + " rows (those the console showed) are as recorded; a row after them differs"
                + (d == 0 ? "." : " (row count " + (d > 0 ? "+" : "") + d + ").");
    }

    private static String row(JsonNode result, int i) {
        JsonNode t = result.path("head").path(i);
        return t.isMissingNode() ? "(no row " + (i + 1) + ")" : t.asText();
    }
}
