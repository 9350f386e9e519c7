package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.dsl.Expectation;
import dev.sluice.dsl.NonTransactional;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Decider;
import dev.sluice.playbook.Decision;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.RunListener;
import dev.sluice.playbook.RunMode;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.RunSummary;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepResult;
import dev.sluice.playbook.StepRunner;
import dev.sluice.playbook.StepStatus;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays the journal of a playbook run: the same playbook runs again, step by step, and each step gets the decision
 * recorded for it (commit, rollback, skip) — no more — after its observations and expectations were compared with the
 * recording. The first difference stops the run, rolling the open step back.
 */
public final class RunReplayer {
    /** One recorded step: its source checksum, what it observed, its expectations, its decision and action outcomes. */
    record RecordedStep(String name, String checksum, List<ObjectNode> observations, List<ObjectNode> expectations, String decision,
                        List<String> actions) {
    }

    private final JournalFile journal;
    private final Session session;
    private final Replayer.Asker asker;
    private final boolean step;
    private final RunListener printer;

    private long until = -1;

    /** Replays only the steps decided at or before event {@code seq} (-1: all). */
    public RunReplayer until(long seq) {
        this.until = seq;
        return this;
    }

    public RunReplayer(JournalFile journal, Session session, Replayer.Asker asker, boolean step, RunListener printer) {
        this.journal = journal;
        this.session = session;
        this.asker = asker;
        this.step = step;
        this.printer = printer;
    }

    /** The recorded run's start event (playbook, file, params, mode). */
    public ObjectNode runEvent() {
        for (ObjectNode e : journal.events()) {
            if (e.path("type").asText().equals("step") && e.path("phase").asText().equals("run")) {
                return e;
            }
        }
        throw new SluiceException(ErrorCode.JOURNAL, "Journal " + journal.path() + " records no playbook run. Replay it as a console session.");
    }

    /** Where the recorded playbook is today: the given override, the recorded absolute path, or its display path. */
    public Path playbookPath(Path override) {
        if (override != null) {
            return override;
        }
        JsonNode d = runEvent().path("details");
        Path abs = Path.of(d.path("path").asText(d.path("file").asText()));
        if (Files.isRegularFile(abs)) {
            return abs;
        }
        Path rel = Path.of(d.path("file").asText());
        if (Files.isRegularFile(rel)) {
            return rel;
        }
        throw new SluiceException(ErrorCode.JOURNAL, "The recorded playbook " + d.path("file").asText() + " is not at " + abs
                + " nor " + rel.toAbsolutePath() + ". Pass it with --playbook FILE.");
    }

    public Map<String, String> params() {
        Map<String, String> p = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = runEvent().path("details").path("params").fields();
        while (it.hasNext()) {
            var e = it.next();
            p.put(e.getKey(), e.getValue().asText());
        }
        return p;
    }

    Map<String, RecordedStep> recordedSteps() {
        Map<String, RecordedStep> out = new LinkedHashMap<>();
        String current = null;
        boolean resulted = false;
        String checksum = null;
        List<ObjectNode> obs = new ArrayList<>();
        List<ObjectNode> exp = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (ObjectNode e : journal.events()) {
            String type = e.path("type").asText();
            if (until >= 0 && e.path("seq").asLong() > until) {
                break;
            }
            if (type.equals("step") && e.path("phase").asText().equals("start")) {
                current = e.path("step").asText();
                resulted = false;
                checksum = e.path("details").path("checksum").asText(null);
                obs = new ArrayList<>();
                exp = new ArrayList<>();
                actions = new ArrayList<>();
            } else if (current != null && type.equals("step") && e.path("phase").asText().equals("result")) {
                resulted = true; // what is observed after the result is the operator inspecting, not the step
            } else if (current != null && !resulted && type.equals("observation")) {
                (e.path("call").asText().equals("expect") ? exp : obs).add(e);
            } else if (current != null && type.equals("step") && e.path("phase").asText().equals("action")) {
                actions.add(e.path("details").path("outcome").asText());
            } else if (current != null && type.equals("decision") && current.equals(e.path("step").asText())) {
                out.put(current, new RecordedStep(current, checksum, obs, exp, e.path("decision").asText(), actions));
                current = null;
            }
        }
        return out;
    }

    public ReplayResult run(Function<Path, Playbook> loader, Path playbookOverride) {
        Playbook pb = loader.apply(playbookPath(playbookOverride));
        Map<String, RecordedStep> recorded = recordedSteps();
        Divergence[] divergence = {null};
        boolean[] reachedUntil = {false};
        int[] matched = {0};
        int[] steps = {0};
        List<Expectation> expectations = new ArrayList<>();
        Map<String, Integer> actionIndex = new HashMap<>();

        ObservationCapture capture = new ObservationCapture();
        RunListener tracker = new RunListener() {
            @Override
            public void stepStarted(Step s, int position, int total) {
                capture.clear();
                expectations.clear();
                RecordedStep r = recorded.get(s.name());
                if (divergence[0] == null && r == null && until >= 0) {
                    reachedUntil[0] = true;
                } else if (divergence[0] == null && r == null) {
                    divergence[0] = new Divergence(-1, "step '" + s.name() + "'", "step '" + s.name() + "' runs today but was not run in the recording",
                            null, null, "Was it already applied where the recording was made? Compare 'sluice run --list' on both.");
                } else if (divergence[0] == null && r.checksum() != null && !r.checksum().equals(s.checksum())) {
                    divergence[0] = new Divergence(-1, "step '" + s.name() + "'", "the source of step '" + s.name() + "' changed since the recording",
                            Journal.MAPPER.getNodeFactory().textNode(r.checksum()), Journal.MAPPER.getNodeFactory().textNode(s.checksum()),
                            "Replay with the playbook as recorded (--playbook FILE), or record a new rehearsal.");
                }
            }

            @Override
            public void stepSkipped(StepStatus s, String reason) {
                RecordedStep r = recorded.get(s.step().name());
                if (divergence[0] == null && r != null && !r.decision().equals("skip")) {
                    divergence[0] = new Divergence(-1, "step '" + s.step().name() + "'", "step '" + s.step().name()
                            + "' was run in the recording but is skipped today (" + reason + ")", null, null, null);
                }
            }

            @Override
            public void expectation(Step s, Expectation e) {
                expectations.add(e);
            }
        };
        Decider decider = new Decider() {
            @Override
            public Decision decide(StepResult result) {
                if (divergence[0] != null || reachedUntil[0]) {
                    return Decision.QUIT;
                }
                steps[0]++;
                RecordedStep r = recorded.get(result.step().name());
                Divergence d = compare(r, result.step().name(), capture.seen(), expectations);
                if (d != null) {
                    divergence[0] = d;
                    return Decision.QUIT;
                }
                matched[0] += r.observations().size() + r.expectations().size();
                Decision decision = switch (r.decision()) {
                    case "commit" -> Decision.COMMIT;
                    case "rollback" -> Decision.ROLLBACK;
                    case "skip" -> Decision.SKIP;
                    default -> Decision.QUIT;
                };
                if (step && !asker.ask("Step '" + result.step().name() + "' matches the recording; apply the recorded decision ("
                        + decision.label() + ")?")) {
                    return Decision.QUIT;
                }
                return decision;
            }

            @Override
            public boolean confirm(Step s, NonTransactional.Action action) {
                RecordedStep r = recorded.get(s.name());
                if (r == null) {
                    return false;
                }
                int i = actionIndex.merge(s.name(), 1, Integer::sum) - 1;
                // The recording lists each action twice (announced, then its outcome); take the outcomes in order.
                List<String> outcomes = r.actions().stream().filter(a -> !a.equals("announced")).toList();
                return i < outcomes.size() && outcomes.get(i).equals("performed");
            }
        };
        JsonNode d = runEvent().path("details");
        if ("dry_run".equals(d.path("mode").asText())) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + journal.path() + " records a dry run: every step was rolled back and "
                    + "nothing was decided, so there is nothing to replay. Replay the journal of a real run.");
        }
        String stopAfter = text(d, "stopAfter");
        if (journal.problem() != null || until >= 0) {
            // Stop after the last step decided in what is replayed: a step after it must not even start (its body would
            // run, to be rolled back), least of all one whose decision the hash chain cannot vouch for.
            String last = null;
            for (String name : recorded.keySet()) {
                last = name;
            }
            if (last == null) {
                return journal.problem() != null ? ReplayResult.stoppedEarly(0, 0, journal.stopReason()) : new ReplayResult(0, 0, null, false);
            }
            String lastStep = last;
            if (text(d, "only") == null && pb.steps().stream().anyMatch(s -> s.name().equals(lastStep))) {
                stopAfter = lastStep;
            }
        }
        RunOptions options = new RunOptions(RunMode.STEP, text(d, "startAt"), stopAfter, text(d, "only"), params());
        TierInternals.addListener(session.tiers(), capture);
        RunSummary summary;
        try (PlaybookSession run = PlaybookSession.start(session, pb, options, decider,
                RunListener.all(printer == null ? List.of(tracker) : List.of(tracker, printer)))) {
            summary = new StepRunner(run, decider, null, RunListener.all(printer == null ? List.of(tracker) : List.of(tracker, printer))).run();
        } finally {
            TierInternals.removeListener(session.tiers(), capture);
        }
        if (divergence[0] == null && summary.ending() == RunSummary.Ending.STEP_FAILED) {
            divergence[0] = new Divergence(-1, null, "a step failed today: " + summary.message(), null, null, null);
        }
        if (divergence[0] == null && journal.problem() != null) {
            return ReplayResult.stoppedEarly(steps[0], matched[0], journal.stopReason());
        }
        return new ReplayResult(steps[0], matched[0], divergence[0], false);
    }

    private static String text(JsonNode d, String field) {
        JsonNode v = d.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Divergence compare(RecordedStep r, String name, List<ObjectNode> seen, List<Expectation> expectations) {
        String label = "step '" + name + "'";
        Divergence d = ObservationCapture.firstDifference(r.observations(), seen, label);
        if (d != null) {
            return d;
        }
        for (int k = 0; k < r.expectations().size(); k++) {
            ObjectNode rec = r.expectations().get(k);
            String en = rec.path("args").path(0).asText();
            Expectation now = k < expectations.size() ? expectations.get(k) : null;
            if (now == null || !now.name().equals(en) || now.passed() != rec.path("result").asBoolean()) {
                return new Divergence(rec.path("seq").asLong(), label, "expectation '" + en + "' "
                        + (now == null ? "was not checked today" : rec.path("result").asBoolean() ? "held in the recording but fails today"
                        + (now.detail() == null ? "" : ": " + now.detail()) : "failed in the recording but holds today"),
                        rec.path("result"), now == null ? null : Journal.MAPPER.getNodeFactory().booleanNode(now.passed()), null);
            }
        }
        return null;
    }

}
