package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-executes a journal on a session and compares every observation with the recording, stopping at the first
 * divergence. The front ends supply how an input runs ({@link Executor}: the console evaluates snippets and commands,
 * the playbook runner re-runs steps with recorded decisions) and whether to go on ({@link Asker}).
 */
public final class Replayer {
    /** Runs one recorded input or step decision today. */
    public interface Executor {
        /** Evaluates a recorded input ({@code java}, {@code groovy} or {@code command}); throws on error. */
        void input(String kind, String text);

        /** Re-runs a recorded playbook step with its recorded decision (commit, rollback, skip). Default: unsupported. */
        default void step(String playbook, String step, String decision) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "This replay cannot re-run playbook steps; replay it with 'sluice replay'.");
        }
    }

    /** Asks the operator a yes/no question ({@code --step}); answers yes when replay runs unattended with --yes. */
    public interface Asker {
        boolean ask(String question);
    }

    private final JournalFile journal;
    private final Session session;
    private final Executor executor;
    private final Asker asker;
    private final PrintWriter out;
    private final boolean step;
    private final boolean yes;
    private final long until;

    public Replayer(JournalFile journal, Session session, Executor executor, Asker asker, PrintWriter out, boolean step, boolean yes,
                    long until) {
        this.journal = journal;
        this.session = session;
        this.executor = executor;
        this.asker = asker;
        this.out = out;
        this.step = step;
        this.yes = yes;
        this.until = until;
    }

    /** Differences between the recorded workspace fingerprint and today's. */
    public List<String> fingerprintDifferences() {
        List<String> diffs = new ArrayList<>();
        for (JsonNode rec : journal.header().path("fingerprint")) {
            String name = rec.path("tier").asText();
            if (!session.tiers().has(name)) {
                diffs.add(name + ": recorded, but this workspace has no such tier");
                continue;
            }
            JsonNode now = Observations.roundTrip(Observations.fingerprint(session.tier(name).fingerprint()));
            diffs.addAll(Observations.fingerprintDifferences(Observations.roundTrip(recordedFingerprint(rec)), now));
        }
        return diffs;
    }

    private static JsonNode recordedFingerprint(JsonNode rec) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.set("tier", rec.path("tier"));
        o.set("engine", rec.path("engine"));
        o.set("schemaSha256", rec.path("schemaSha256"));
        o.set("counts", rec.path("counts"));
        return o;
    }

    /** Replays every input; the caller checks {@link #fingerprintDifferences()} first and decides whether to go on. */
    public ReplayResult run() {
        List<String> diffs = List.of();
        List<ObjectNode> events = journal.events();
        int inputs = 0;
        int matched = 0;
        for (int i = 0; i < events.size(); i++) {
            ObjectNode e = events.get(i);
            long seq = e.path("seq").asLong();
            if (until >= 0 && seq > until) {
                break;
            }
            String type = e.path("type").asText();
            boolean isInput = type.equals("input");
            boolean isStepDecision = type.equals("decision") && e.has("step") && e.has("playbook") && journalKind().equals("run");
            if (!isInput && !isStepDecision) {
                continue;
            }
            List<ObjectNode> expected = new ArrayList<>();
            for (int k = i + 1; k < events.size(); k++) {
                String t = events.get(k).path("type").asText();
                if (t.equals("input") || (t.equals("decision") && isStepDecision) || t.equals("end")) {
                    break;
                }
                if (t.equals("observation") && !"expect".equals(events.get(k).path("call").asText())) {
                    expected.add(events.get(k));
                }
            }
            String label = isInput ? e.path("text").asText() : "step '" + e.path("step").asText() + "' → " + e.path("decision").asText();
            if (step && !asker.ask("[" + seq + "] " + label.strip().lines().findFirst().orElse("") + " — run it?")) {
                return new ReplayResult(inputs, matched, diffs, null, true);
            }
            boolean recordedError = hasErrorBefore(events, i + 1);
            Capture capture = new Capture();
            Tier.addGlobalListener(capture);
            Throwable failure = null;
            try {
                if (isInput) {
                    executor.input(e.path("kind").asText(), e.path("text").asText());
                } else {
                    executor.step(e.path("playbook").asText(), e.path("step").asText(), e.path("decision").asText());
                }
            } catch (RuntimeException ex) {
                failure = ex;
            } finally {
                Tier.removeGlobalListener(capture);
            }
            inputs++;
            if (failure != null && !recordedError) {
                return new ReplayResult(inputs, matched, diffs, new Divergence(seq, label, "the input failed today but not in the recording",
                        Journal.MAPPER.getNodeFactory().textNode("no error"), Journal.MAPPER.getNodeFactory().textNode(failure.getMessage()), null), false);
            }
            for (int k = 0; k < expected.size(); k++) {
                ObjectNode rec = expected.get(k);
                if (k >= capture.seen.size()) {
                    return new ReplayResult(inputs, matched, diffs, new Divergence(rec.path("seq").asLong(), label,
                            "recorded " + describe(rec) + " was not observed today", rec.path("result"), null, null), false);
                }
                ObjectNode now = capture.seen.get(k);
                if (!sameCall(rec, now)) {
                    return new ReplayResult(inputs, matched, diffs, new Divergence(rec.path("seq").asLong(), label,
                            "recorded " + describe(rec) + " but today observed " + describe(now), rec.path("result"), now.path("result"), null), false);
                }
                if (!rec.path("result").equals(now.path("result"))) {
                    return new ReplayResult(inputs, matched, diffs, new Divergence(rec.path("seq").asLong(), label, describe(rec) + " differs",
                            rec.path("result"), now.path("result"), hint(rec, now)), false);
                }
                matched++;
            }
        }
        return new ReplayResult(inputs, matched, diffs, null, false);
    }

    private String journalKind() {
        return journal.header().path("kind").asText();
    }

    private static boolean hasErrorBefore(List<ObjectNode> events, int from) {
        for (int k = from; k < events.size(); k++) {
            String t = events.get(k).path("type").asText();
            if (t.equals("input") || t.equals("decision") || t.equals("end")) {
                return false;
            }
            if (t.equals("error")) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameCall(ObjectNode a, ObjectNode b) {
        return a.path("call").asText().equals(b.path("call").asText()) && a.path("tier").asText().equals(b.path("tier").asText())
                && a.path("args").equals(b.path("args"));
    }

    private static String describe(ObjectNode o) {
        String tier = o.path("tier").asText("");
        return (tier.isEmpty() ? "" : tier + ".") + o.path("call").asText() + MarkdownExport.args(o.path("args"));
    }

    private static String hint(ObjectNode rec, ObjectNode now) {
        JsonNode r = rec.path("result");
        JsonNode n = now.path("result");
        if (r.has("rows") && n.has("rows")) {
            long d = n.path("rows").asLong() - r.path("rows").asLong();
            return d == 0 ? "Same row count: some row's content changed. Compare with diff(...) against a copy of the recorded data."
                    : "Row count differs by " + (d > 0 ? "+" : "") + d + ".";
        }
        return null;
    }

    /** Collects today's observations while one input runs. */
    private static final class Capture implements Tier.Listener {
        final List<ObjectNode> seen = new ArrayList<>();

        @Override
        public synchronized void observed(Tier tier, String call, List<Object> args, Object result) {
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("tier", tier.name());
            o.put("call", call);
            o.set("args", Observations.roundTrip(Journal.MAPPER.valueToTree(args)));
            o.set("result", Observations.normalise(result));
            seen.add(o);
        }
    }
}
