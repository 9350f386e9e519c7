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
                        List<String> actions, ObjectNode result) {
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
        ObjectNode result = null;
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
                result = null;
            } else if (current != null && type.equals("step") && e.path("phase").asText().equals("result")) {
                result = e;
                resulted = true; // what is observed after the result is the operator inspecting, not the step
            } else if (current != null && !resulted && type.equals("observation")) {
                (e.path("call").asText().equals("expect") ? exp : obs).add(e);
            } else if (current != null && type.equals("step") && e.path("phase").asText().equals("action")) {
                actions.add(e.path("details").path("outcome").asText());
            } else if (current != null && type.equals("decision") && current.equals(e.path("step").asText())) {
                out.put(current, new RecordedStep(current, checksum, obs, exp, e.path("decision").asText(), actions, result));
                current = null;
            }
        }
        return out;
    }

    public ReplayResult run(Function<Path, Playbook> loader, Path playbookOverride) {
        Playbook pb = loader.apply(playbookPath(playbookOverride));
        Check check = check();
        RunOptions options = check.options();
        if (journal.problem() != null || until >= 0) {
            // Stop after the last step decided in what is replayed: a step after it must not even start (its body would
            // run, to be rolled back), least of all one whose decision the hash chain cannot vouch for.
            String last = null;
            for (String name : check.recorded.keySet()) {
                last = name;
            }
            if (last == null) {
                return journal.problem() != null ? ReplayResult.stoppedEarly(0, 0, journal.stopReason()) : new ReplayResult(0, 0, null, false);
            }
            String lastStep = last;
            if (options.only() == null && pb.steps().stream().anyMatch(s -> s.name().equals(lastStep))) {
                options = new RunOptions(RunMode.STEP, options.startAt(), lastStep, null, options.params());
            }
        }
        RunListener listener = RunListener.all(printer == null ? List.of(check) : List.of(check, printer));
        check.watch(session);
        RunSummary summary;
        try (PlaybookSession run = PlaybookSession.start(session, pb, options, check, listener)) {
            summary = new StepRunner(run, check, null, listener).run();
        } finally {
            check.unwatch(session);
        }
        return check.result(summary);
    }

    /**
     * The recording as a check on a run made now: as the run's {@link Decider} it answers each step with the recorded
     * decision once the step's observations and expectations match the recording's, and quits (rolling the step back)
     * at the first difference; as a {@link RunListener} it follows what each step does. It must listen
     * to the session's tiers while the run lasts ({@link #watch}). {@code sluice run --rehearse} applies a rehearsal through one.
     */
    public Check check() {
        JsonNode d = runEvent().path("details");
        if ("dry_run".equals(d.path("mode").asText())) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + journal.path() + " records a dry run: every step was rolled back and "
                    + "nothing was decided, so there is nothing to replay. Replay the journal of a real run.");
        }
        return new Check(recordedSteps(), new RunOptions(RunMode.STEP, text(d, "startAt"), text(d, "stopAfter"), text(d, "only"), params()));
    }

    /** See {@link #check()}. */
    public final class Check implements Decider, RunListener {
        private final Map<String, RecordedStep> recorded;
        private final RunOptions options;
        /** What each step observes on the tiers, compared with the recording before its decision. */
        private final ObservationCapture capture = new ObservationCapture();
        private final List<Expectation> expectations = new ArrayList<>();
        private final Map<String, Integer> actionIndex = new HashMap<>();
        /** Tables whose rows an earlier step of this run wrote ("tier.table"): their checksum before a later step is this run's doing. */
        private final java.util.Set<String> changedByRun = new java.util.HashSet<>();
        private Divergence divergence;
        private boolean reachedUntil;
        private int matched;
        private int steps;

        private Check(Map<String, RecordedStep> recorded, RunOptions options) {
            this.recorded = recorded;
            this.options = options;
        }

        /**
         * A step an earlier run left applied on some tiers only is not settled by a recording, which never saw it: the
         * run stops before it starts, naming {@code sluice repair}.
         */
        @Override
        public boolean settle(Step s, String question) {
            return false;
        }

        /** The recorded run's options (step mode: every decision is the recording's): parameters and step selection. */
        public RunOptions options() {
            return options;
        }

        /** Starts comparing what the session's tiers observe (call before the run starts; {@link #unwatch} after). */
        public void watch(Session on) {
            TierInternals.addListener(on.tiers(), capture);
        }

        public void unwatch(Session on) {
            TierInternals.removeListener(on.tiers(), capture);
        }

        /** The first difference from the recording, or null. */
        public Divergence divergence() {
            return divergence;
        }

        /** The outcome of a run this check decided. */
        public ReplayResult result(RunSummary summary) {
            if (divergence == null && summary.ending() == RunSummary.Ending.STEP_FAILED) {
                divergence = new Divergence(-1, null, "a step failed today: " + summary.message(), null, null, null);
            }
            if (divergence == null && journal.problem() != null) {
                return ReplayResult.stoppedEarly(steps, matched, journal.stopReason());
            }
            return new ReplayResult(steps, matched, divergence, false);
        }

        @Override
        public void stepStarted(Step s, int position, int total) {
            capture.clear();
            expectations.clear();
            RecordedStep r = recorded.get(s.name());
            if (divergence == null && r == null && until >= 0) {
                reachedUntil = true;
            } else if (divergence == null && r == null) {
                divergence = new Divergence(-1, "step '" + s.name() + "'", "step '" + s.name() + "' runs today but was not run in the recording",
                        null, null, "Was it already applied where the recording was made? Compare 'sluice run --list' on both.");
            } else if (divergence == null && r.checksum() != null && !r.checksum().equals(s.checksum())) {
                divergence = new Divergence(-1, "step '" + s.name() + "'", "the source of step '" + s.name() + "' changed since the recording",
                        Journal.MAPPER.getNodeFactory().textNode(r.checksum()), Journal.MAPPER.getNodeFactory().textNode(s.checksum()),
                        "Replay with the playbook as recorded (--playbook FILE), or record a new rehearsal.");
            }
        }

        @Override
        public void stepSkipped(StepStatus s, String reason) {
            RecordedStep r = recorded.get(s.step().name());
            if (divergence == null && r != null && !r.decision().equals("skip")) {
                divergence = new Divergence(-1, "step '" + s.step().name() + "'", "step '" + s.step().name()
                        + "' was run in the recording but is skipped today (" + reason + ")", null, null, null);
            }
        }

        @Override
        public void expectation(Step s, Expectation e) {
            expectations.add(e);
        }

        @Override
        public Decision decide(StepResult result) {
            if (divergence != null || reachedUntil) {
                return Decision.QUIT;
            }
            steps++;
            RecordedStep r = recorded.get(result.step().name());
            Divergence d = compare(r, result, capture.seen(), expectations, changedByRun);
            result.tables().stream().filter(t -> t.written() || !java.util.Objects.equals(t.before(), t.after()) || Boolean.TRUE.equals(t.checksumChanged()))
                    .forEach(t -> changedByRun.add(t.tier() + "." + t.table())); // rows written; a schema change alone writes none
            if (d != null) {
                divergence = d;
                return Decision.QUIT;
            }
            matched += r.observations().size() + r.expectations().size();
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
            if (divergence != null || reachedUntil) {
                return false; // a step that already differs (its source edited, not run in the recording) does nothing irreversible
            }
            RecordedStep r = recorded.get(s.name());
            if (r == null) {
                return false;
            }
            int i = actionIndex.merge(s.name(), 1, Integer::sum) - 1;
            // The recording lists each action twice (announced, then its outcome); take the outcomes in order.
            List<String> outcomes = r.actions().stream().filter(a -> !a.equals("announced")).toList();
            return i < outcomes.size() && outcomes.get(i).equals("performed");
        }
    }

    /**
     * The first table the step changed (in the recording or today) whose rows before or after the step, or whose checksum
     * before it, differ from the recorded step's (only what the recording holds is compared: older journals have no
     * checksums). A checksum is compared only where
     * the run has not changed the table yet, and the checksum after is never compared: a step that writes the time
     * writes other bytes every run. What must be the same is the data the run started from, and a table's first change
     * in the run is where that is seen.
     */
    private static Divergence tablesDiffer(ObjectNode recordedResult, StepResult now, String label, java.util.Set<String> changedByRun) {
        if (recordedResult == null) {
            return null;
        }
        Map<String, dev.sluice.playbook.TableChange> today = new HashMap<>();
        now.tables().forEach(t -> today.put(t.tier() + "." + t.table(), t));
        for (JsonNode t : recordedResult.path("details").path("tables")) {
            String key = t.path("tier").asText() + "." + t.path("table").asText();
            dev.sluice.playbook.TableChange n = today.get(key);
            Long before = t.has("before") ? t.get("before").asLong() : null;
            Long after = t.has("after") ? t.get("after").asLong() : null;
            String sum = t.has("checksumBefore") ? t.get("checksumBefore").asText() : null;
            boolean changedThen = t.path("written").asBoolean() || !java.util.Objects.equals(before, after) || t.path("checksumChanged").asBoolean()
                    || t.path("schemaChanged").asBoolean();
            if (!changedThen && n != null && !n.changed()) {
                continue; // a table the step leaves alone, then and now: the workspace's difference, not this step's
            }
            String what = null;
            if (n == null) {
                what = key + " was in the step's result in the recording, not today";
            } else if (!java.util.Objects.equals(before, n.before())) {
                what = key + " held other rows before the step (" + rows(before) + " recorded, " + rows(n.before()) + " now)";
            } else if (sum != null && n.checksumBefore() != null && !sum.equals(n.checksumBefore()) && !changedByRun.contains(key)) {
                what = key + " held other data before the step: same " + rows(before) + " rows, other checksum";
            } else if (!java.util.Objects.equals(after, n.after())) {
                what = key + " holds other rows after the step (" + rows(after) + " recorded, " + rows(n.after()) + " now)";
            }
            if (what != null) {
                ObjectNode rec = Journal.MAPPER.createObjectNode();
                rec.put("table", key).put("rows before", before).put("rows after", after);
                if (sum != null) {
                    rec.put("checksum before", dev.sluice.encoding.Sha256.shortForm(sum));
                }
                ObjectNode cur = null;
                if (n != null) {
                    cur = Journal.MAPPER.createObjectNode();
                    cur.put("table", key).put("rows before", n.before()).put("rows after", n.after());
                    if (n.checksumBefore() != null) {
                        cur.put("checksum before", dev.sluice.encoding.Sha256.shortForm(n.checksumBefore()));
                    }
                }
                return new Divergence(recordedResult.path("seq").asLong(), label, what, rec, cur,
                        "Nothing of this step was committed. Someone changed the data since the recording: look at " + key + ", then record (or rehearse) again.");
            }
        }
        return null;
    }

    private static String rows(Long n) {
        return n == null ? "no table" : String.format(java.util.Locale.ROOT, "%,d", n);
    }

    private static String text(JsonNode d, String field) {
        JsonNode v = d.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Divergence compare(RecordedStep r, StepResult result, List<ObjectNode> seen, List<Expectation> expectations,
                                      java.util.Set<String> changedByRun) {
        String name = result.step().name();
        String label = "step '" + name + "'";
        Divergence d = ObservationCapture.firstDifference(r.observations(), seen, label);
        if (d != null) {
            return d;
        }
        d = tablesDiffer(r.result(), result, label, changedByRun);
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
