package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
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
    /** Collects what the input being replayed observes and shows; null between inputs. */
    private volatile ObservationCapture current;

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

    /** Differences between a journal's recorded fingerprint and fingerprints already taken today. */
    public static List<String> fingerprintDifferences(JournalFile journal, List<dev.sluice.tier.Fingerprint> today) {
        List<String> diffs = new ArrayList<>();
        for (JsonNode rec : journal.header().path("fingerprint")) {
            String name = rec.path("tier").asText();
            dev.sluice.tier.Fingerprint f = today.stream().filter(x -> x.tier().equals(name)).findFirst().orElse(null);
            if (f == null) {
                diffs.add(name + ": recorded, but this workspace has no such tier");
                continue;
            }
            JsonNode now = Observations.roundTrip(Observations.fingerprint(f));
            diffs.addAll(Observations.fingerprintDifferences(Observations.roundTrip(recordedFingerprint(rec)), now));
        }
        return diffs;
    }

    private static JsonNode recordedFingerprint(JsonNode rec) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.set("tier", rec.path("tier"));
        o.set("engine", rec.path("engine"));
        o.set("schemaSha256", rec.path("schemaSha256"));
        if (rec.path("counts").isObject()) {
            o.set("counts", rec.path("counts"));
        }
        return o;
    }

    /**
     * What the console showed for the input being replayed ({@code EvalListener.shown}): the front end that runs the
     * inputs passes it on, and it is compared with the value the recording showed.
     */
    public void shown(Object value, boolean marked) {
        ObservationCapture c = current;
        if (c != null) {
            c.shown(value, marked);
        }
    }

    /** Replays every input; the caller checks {@link #fingerprintDifferences(JournalFile, List)} first and decides whether to go on. */
    public ReplayResult run() {
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
            if (!type.equals("input")) {
                continue;
            }
            List<ObjectNode> expected = new ArrayList<>();
            boolean ended = false;
            for (int k = i + 1; k < events.size(); k++) {
                String t = events.get(k).path("type").asText();
                if (t.equals("input") || t.equals("end")) {
                    ended = true;
                    break;
                }
                if (t.equals("observation") && !"expect".equals(events.get(k).path("call").asText())) {
                    expected.add(events.get(k));
                }
            }
            if (!ended && journal.problem() != null && !endsABlock(journal.doubted())) {
                // The chain vouches for this input but not for all it observed: what it did could not be compared.
                return ReplayResult.stoppedEarly(inputs, matched, journal.stopReason() + " The input at seq " + seq
                        + " was not run: its recorded results run into that line.");
            }
            String label = e.path("text").asText();
            if (label.contains(dev.sluice.workspace.Redactor.MASK)) {
                // A secret was taken out of this input when it was recorded: running the masked text would do something else.
                return new ReplayResult(inputs, matched, new Divergence(seq, label, "this input was redacted when it was recorded (it held "
                        + "a secret, or text that looks like one), so it cannot be re-run as it was", null, null,
                        "Run it by hand with the real value, then replay the rest with --until or a journal recorded without secrets in snippets."), false);
            }
            if (step && !asker.ask("[" + seq + "] " + label.strip().lines().findFirst().orElse("") + " — run it?")) {
                return new ReplayResult(inputs, matched, null, true);
            }
            boolean recordedError = hasErrorBefore(events, i + 1);
            ObservationCapture capture = new ObservationCapture(journal.format() >= 2, session.workspace().secrets());
            TierInternals.addListener(session.tiers(), capture);
            current = capture;
            Throwable failure = null;
            try {
                executor.input(e.path("kind").asText(), e.path("text").asText());
            } catch (RuntimeException ex) {
                failure = ex;
            } finally {
                current = null;
                TierInternals.removeListener(session.tiers(), capture);
            }
            inputs++;
            if (failure == null && recordedError) {
                return new ReplayResult(inputs, matched, new Divergence(seq, label, "the input failed in the recording but succeeds today",
                        Journal.MAPPER.getNodeFactory().textNode("an error"), Journal.MAPPER.getNodeFactory().textNode("no error"),
                        "Today's data lets through what the rehearsal refused: check what changed before going on."), false);
            }
            if (failure != null && !recordedError) {
                return new ReplayResult(inputs, matched, new Divergence(seq, label, "the input failed today but not in the recording",
                        Journal.MAPPER.getNodeFactory().textNode("no error"), Journal.MAPPER.getNodeFactory().textNode(failure.getMessage()), null), false);
            }
            Divergence d = ObservationCapture.firstDifference(expected, capture.seen(), label);
            if (d == null && capture.seen().size() > expected.size()) {
                ObjectNode extra = capture.seen().get(expected.size());
                d = new Divergence(seq, label, "today " + ObservationCapture.describe(extra) + " was observed, which the recording did not see",
                        null, extra.path("result"), null);
            }
            if (d != null) {
                return new ReplayResult(inputs, matched, d, false);
            }
            matched += expected.size();
        }
        if (journal.problem() != null && !(until >= 0 && journal.doubtFrom() > 0 && until < journal.doubtFrom() - 1)) {
            return ReplayResult.stoppedEarly(inputs, matched, journal.stopReason());
        }
        return new ReplayResult(inputs, matched, null, false);
    }

    /** True when the line the chain doubts reads as the start of another input or the end: the block before it is whole. */
    private static boolean endsABlock(ObjectNode doubted) {
        String t = doubted == null ? "" : doubted.path("type").asText();
        return t.equals("input") || t.equals("end");
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



}
