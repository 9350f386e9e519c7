package dev.sluice.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.Observations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a journal says, read once for a report: the verdict, who ran what where and when, every step of the playbook with
 * its outcome (including the ones that never ran), and for a replay the journal replayed and the divergence. Both
 * renderers draw from this, so the HTML page and the Markdown file cannot tell different stories. What the journal does
 * not hold (an older journal) is listed in {@link #gaps}, never made up.
 */
record ReportContent(String kind, Verdict verdict, Run run, String user, String host, String workspace, String sluice, String jdk,
                     ZonedDateTime started, ZonedDateTime ended, Duration took, Path journal, String journalProblem, List<StepView> steps,
                     Replay replay, List<String> errors, List<Observed> observations, List<String> inputs, List<String> gaps) {

    /** How a run or replay ended, for the top of the page: {@code tone} is ok, warn or bad. */
    record Verdict(String tone, String headline, String detail) {
    }

    /** The playbook run the journal records (null for a console session). */
    /** {@code defaultsKnown}: the journal records the defaults the parameters not given took (older ones do not). */
    record Run(String title, String description, String file, String path, String mode, Map<String, String> params, List<String> defaulted,
               boolean defaultsKnown) {
    }

    /** What became of one step of the playbook. */
    enum Status {
        COMMITTED("committed"), ROLLED_BACK("rolled back"), SKIPPED("skipped"), PENDING("pending"), FAILED("failed"),
        UNDECIDED("undecided");

        final String label;

        Status(String label) {
            this.label = label;
        }

        String css() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One step: its place in the playbook, its outcome and why, and what it did (null fields: it did not run). */
    record StepView(int index, int of, String name, Status status, String why, Long millis, List<TableView> tables, List<Expect> expectations,
                    List<String> actions, String error, boolean ran) {
    }

    /**
     * One table across a step. {@code edits} null: the journal does not say what changed in the schema (before Sluice
     * recorded it); {@code schemaChanged} null: it does not say whether it did.
     */
    record TableView(String tier, String table, Long before, Long after, boolean written, Boolean checksumChanged, String checksumBefore,
                     String checksumAfter, String note, Boolean schemaChanged, List<Edit> edits) {
        boolean changed() {
            return written || !java.util.Objects.equals(before, after) || Boolean.TRUE.equals(checksumChanged)
                    || Boolean.TRUE.equals(schemaChanged) || (edits != null && !edits.isEmpty());
        }

        String name() {
            return tier + "." + table;
        }
    }

    /** A schema object added ({@code before} null), dropped ({@code after} null) or altered. */
    record Edit(String kind, String name, String before, String after) {
        String change() {
            return before == null ? "added" : after == null ? "dropped" : "altered";
        }
    }

    /** An expectation: whether it held, why not, and the values it read (each {@code call → result}). */
    record Expect(String name, boolean passed, String detail, Long millis, List<String> compared) {
    }

    /** A replay: the journal it replayed, how the workspace differed, and where today parted from the recording. */
    record Replay(String journal, String recordedKind, String recordedBy, ZonedDateTime recordedAt, List<String> workspaceDifferences,
                  String outcome, Integer inputs, Integer observations, Divergence divergence, String legacyText) {
    }

    /** Recorded vs now, field by field. */
    record Divergence(Long seq, String input, String what, String hint, List<Field> fields) {
    }

    /** One compared field of a divergence: its name, recorded and current values as shown, and whether they differ. */
    record Field(String name, String recorded, String now, boolean differs) {
    }

    /** An observation in the journal's order (seq, call as typed, result as shown). */
    record Observed(long seq, String call, String result) {
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z (xxx)", Locale.ROOT);

    /** The text with its first letter capitalised (a step's why starts a sentence in the report). */
    static String sentence(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String when(ZonedDateTime t) {
        return t == null ? "unknown" : WHEN.format(t);
    }

    // ---------------------------------------------------------------- reading

    static ReportContent of(JournalFile j) {
        ObjectNode h = j.header();
        List<String> gaps = new ArrayList<>();
        ZoneId zone = ZoneId.systemDefault();
        if (h.hasNonNull("zone")) {
            try {
                zone = ZoneId.of(h.get("zone").asText());
            } catch (java.time.DateTimeException e) {
                gaps.add("the journal's time zone '" + h.get("zone").asText() + "' is unknown here: times are shown in " + zone.getId());
            }
        } else {
            gaps.add("the journal does not record the operator's time zone: times are shown in this machine's (" + zone.getId() + ")");
        }
        ZonedDateTime started = instant(h.path("start").asText(null), zone);
        ObjectNode end = null;
        ObjectNode runEvent = null;
        ObjectNode finished = null;
        List<String> errors = new ArrayList<>();
        List<Observed> observations = new ArrayList<>();
        List<String> inputs = new ArrayList<>();
        ObjectNode replayStart = null;
        ObjectNode replayResult = null;
        String legacyReplayed = null;
        String legacyDivergence = null;
        for (ObjectNode e : j.events()) {
            switch (e.path("type").asText()) {
                case "end" -> end = e;
                case "step" -> {
                    String phase = e.path("phase").asText();
                    if (phase.equals("run") && runEvent == null) {
                        runEvent = e;
                    } else if (phase.equals("finished")) {
                        finished = e;
                    }
                }
                case "error" -> {
                    if (e.path("kind").asText().equals("Divergence")) {
                        legacyDivergence = e.path("message").asText();
                    } else {
                        errors.add(errorText(e));
                    }
                }
                case "observation" -> observations.add(new Observed(e.path("seq").asLong(), call(e),
                        e.path("call").asText().equals("expect") ? (e.path("result").asBoolean() ? "held" : "failed"
                                + (e.hasNonNull("detail") ? ": " + e.get("detail").asText() : "")) : Observations.show(e.path("result"))));
                case "input" -> inputs.add(e.path("text").asText());
                case "output" -> {
                    String s = e.path("summary").asText();
                    if (s.startsWith("replay of ")) {
                        legacyReplayed = s.substring("replay of ".length()); // journals before the replay event
                    }
                }
                case "replay" -> {
                    if (e.path("phase").asText().equals("start")) {
                        replayStart = e;
                    } else {
                        replayResult = e;
                    }
                }
                default -> {
                }
            }
        }
        ZonedDateTime ended = end == null ? null : instant(end.path("time").asText(null), zone);
        Duration took = started != null && ended != null ? Duration.between(started, ended) : null;
        Run run = runEvent == null ? null : run(runEvent.path("details"), h.path("kind").asText().equals("replay"));
        String kind = h.path("kind").asText("session");
        List<StepView> steps = runEvent == null ? List.of() : steps(j, runEvent.path("details"), end != null, kind.equals("replay"), gaps);
        Replay replay = kind.equals("replay") ? replay(replayStart, replayResult, legacyReplayed, legacyDivergence, zone, gaps) : null;
        if (legacyDivergence != null && replay == null) {
            errors.add(legacyDivergence);
        }
        Verdict verdict = kind.equals("replay") ? replayVerdict(replay, end, errors)
                : runEvent != null ? runVerdict(runEvent.path("details"), finished, steps, end, errors, j)
                : sessionVerdict(end, errors, j);
        return new ReportContent(kind, verdict, run, h.path("user").asText("unknown"), h.path("host").asText("unknown"),
                h.path("workspace").asText(""), h.path("sluice").asText(""), h.path("jdk").asText(""), started, ended, took, j.path(),
                j.problem(), steps, replay, errors, observations, inputs, gaps);
    }

    private static ZonedDateTime instant(String text, ZoneId zone) {
        try {
            return text == null ? null : Instant.parse(text).atZone(zone);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** An error as one line: the kind once ("Usage: …", not "Usage: Usage: …" when the message already carries it). */
    static String errorText(JsonNode e) {
        String kind = e.path("kind").asText("");
        String message = e.path("message").asText("");
        String m = message.toLowerCase(Locale.ROOT);
        String k = kind.toLowerCase(Locale.ROOT);
        if (kind.isEmpty() || m.startsWith(k + ":") || m.startsWith(k + " ")) {
            return message; // the message names its kind already ("Usage: …", "Playbook x does not exist")
        }
        return kind + ": " + message;
    }

    /** {@code tier.call(arg, …)} as it was typed, arguments as JSON literals. */
    static String call(JsonNode e) {
        List<String> args = new ArrayList<>();
        e.path("args").forEach(a -> args.add(a.toString()));
        return (e.hasNonNull("tier") ? e.get("tier").asText() + "." : "") + e.path("call").asText() + "(" + String.join(", ", args) + ")";
    }

    private static Run run(JsonNode d, boolean replay) {
        Map<String, String> params = new LinkedHashMap<>();
        List<String> defaulted = new ArrayList<>();
        d.path("params").fields().forEachRemaining(f -> params.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString()));
        d.path("defaults").fields().forEachRemaining(f -> {
            params.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
            defaulted.add(f.getKey());
        });
        String mode = replay ? "replay: each step given the decision the recording made" : switch (d.path("mode").asText("")) {
            case "yes" -> "--yes (commit each step whose expectations hold)";
            case "dry_run" -> "--dry-run (every step rolled back)";
            case "step" -> "step by step (the operator decided each step)";
            default -> d.path("mode").asText("unknown");
        };
        return new Run(d.path("title").asText(null), d.path("description").asText(null), d.path("file").asText(null),
                d.path("path").asText(null), mode, params, defaulted, d.has("defaults"));
    }

    // ---------------------------------------------------------------- steps

    private static List<StepView> steps(JournalFile j, JsonNode run, boolean ended, boolean replay, List<String> gaps) {
        List<String> names = new ArrayList<>();
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode s : run.path("steps")) {
            names.add(s.path("name").asText());
            states.put(s.path("name").asText(), s.path("state").asText(""));
        }
        int of = names.size();
        boolean dryRun = run.path("mode").asText().equals("dry_run");
        Map<String, StepView> seen = new LinkedHashMap<>();
        Map<String, ObjectNode> results = new LinkedHashMap<>();
        Map<String, List<String>> actions = new LinkedHashMap<>();
        Map<Long, ObjectNode> bySeq = new LinkedHashMap<>();
        j.events().forEach(e -> bySeq.put(e.path("seq").asLong(), e));
        Map<String, List<ObjectNode>> expectEvents = new LinkedHashMap<>();
        String current = null;
        boolean oldTables = false;
        boolean oldExpectations = false;
        for (ObjectNode e : j.events()) {
            String type = e.path("type").asText();
            String step = e.path("step").asText(null);
            if (type.equals("step")) {
                switch (e.path("phase").asText()) {
                    case "start" -> {
                        current = step;
                        expectEvents.put(step, new ArrayList<>()); // a step re-run tier by tier starts again
                        actions.put(step, new ArrayList<>());
                    }
                    case "skipped" -> seen.put(step, new StepView(index(names, step), of, step, Status.SKIPPED,
                            "already " + e.path("details").path("reason").asText("applied"), null, List.of(), List.of(), List.of(), null, false));
                    case "action" -> {
                        JsonNode d = e.path("details");
                        if (!d.path("outcome").asText().equals("announced")) {
                            actions.computeIfAbsent(step, k -> new ArrayList<>()).add(d.path("description").asText(d.path("verb").asText())
                                    + ": " + d.path("outcome").asText());
                        }
                    }
                    case "result" -> {
                        results.put(step, e);
                        current = null;
                        for (JsonNode t : e.path("details").path("tables")) {
                            oldTables |= !t.has("schema");
                        }
                        for (JsonNode x : e.path("details").path("expectations")) {
                            oldExpectations |= !x.has("millis");
                        }
                        String status = e.path("details").path("status").asText();
                        if (status.equals("failed")) {
                            seen.put(step, view(names, of, step, Status.FAILED, "failed: every tier rolled back, no history row written", e,
                                    expectEvents, actions, bySeq));
                        } else if (status.equals("dry run") || dryRun) {
                            seen.put(step, view(names, of, step, Status.ROLLED_BACK, "dry run: ran and rolled back", e, expectEvents, actions, bySeq));
                        } else {
                            // No decision yet: the run's end (a cancel) rolled it back; without an end the journal stops here.
                            seen.put(step, view(names, of, step, ended ? Status.ROLLED_BACK : Status.UNDECIDED, ended
                                    ? "rolled back: the run ended before a decision" : "the journal ends before its decision", e, expectEvents, actions, bySeq));
                        }
                    }
                    default -> {
                    }
                }
            } else if (type.equals("observation") && current != null && e.path("call").asText().equals("expect")) {
                expectEvents.get(current).add(e);
            } else if (type.equals("decision") && step != null && results.containsKey(step)) {
                String decision = e.path("decision").asText();
                boolean yes = run.path("mode").asText().equals("yes");
                boolean expectationFailed = decision.equals("rollback") && yes && !expectationsHeld(results.get(step));
                Status s = switch (decision) {
                    case "commit" -> Status.COMMITTED;
                    case "skip" -> Status.SKIPPED;
                    default -> expectationFailed ? Status.FAILED : Status.ROLLED_BACK;
                };
                String why = switch (decision) {
                    case "commit" -> replay ? "committed, as the recording decided" : yes ? "committed: every expectation held" : "committed by the operator";
                    case "skip" -> "skipped by the operator: rolled back, still pending";
                    case "quit" -> replay ? "rolled back: the replay stopped here" : "the operator quit here: rolled back";
                    default -> expectationFailed ? "an expectation failed: rolled back, nothing of it committed"
                            : replay ? "rolled back, as the recording decided" : "rolled back by the operator";
                };
                seen.put(step, view(names, of, step, s, why, results.get(step), expectEvents, actions, bySeq));
            }
        }
        if (!seen.isEmpty() && oldTables) {
            gaps.add("the journal does not record what changed in each table's schema, nor the checksum values compared "
                    + "(it was written before Sluice recorded them)");
        }
        if (oldExpectations) {
            gaps.add("the journal does not record which values each expectation compared (it was written before Sluice recorded them)");
        }
        List<StepView> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            StepView v = seen.get(name);
            if (v == null) {
                String why = !selected(run, names, i) ? "not selected in this run"
                        : "APPLIED".equals(states.get(name)) ? "already applied" : run.path("refused").asBoolean() ? "not run: the run was refused"
                        : "not run";
                v = new StepView(i + 1, of, name, "APPLIED".equals(states.get(name)) ? Status.SKIPPED : Status.PENDING, why, null, List.of(),
                        List.of(), List.of(), null, false);
            }
            out.add(v);
        }
        return out;
    }

    private static boolean expectationsHeld(ObjectNode result) {
        for (JsonNode x : result.path("details").path("expectations")) {
            if (!x.path("passed").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** Whether step {@code i} is in the run's selection (--only, --start-at, --stop-after). */
    private static boolean selected(JsonNode run, List<String> names, int i) {
        String only = run.path("only").asText(null);
        if (only != null) {
            return names.get(i).equals(only);
        }
        int from = run.hasNonNull("startAt") ? names.indexOf(run.get("startAt").asText()) : 0;
        int to = run.hasNonNull("stopAfter") ? names.indexOf(run.get("stopAfter").asText()) : names.size() - 1;
        return i >= Math.max(0, from) && (to < 0 || i <= to);
    }

    private static int index(List<String> names, String step) {
        return names.indexOf(step) + 1;
    }

    private static StepView view(List<String> names, int of, String step, Status status, String why, ObjectNode result,
                                 Map<String, List<ObjectNode>> expectEvents, Map<String, List<String>> actions, Map<Long, ObjectNode> bySeq) {
        JsonNode d = result.path("details");
        List<TableView> tables = new ArrayList<>();
        for (JsonNode t : d.path("tables")) {
            List<Edit> edits = null;
            if (t.has("schema")) {
                edits = new ArrayList<>();
                for (JsonNode x : t.path("schema")) {
                    edits.add(new Edit(x.path("kind").asText(), x.path("name").asText(), x.path("before").asText(null), x.path("after").asText(null)));
                }
            }
            tables.add(new TableView(t.path("tier").asText(), t.path("table").asText(), t.hasNonNull("before") ? t.get("before").asLong() : null,
                    t.hasNonNull("after") ? t.get("after").asLong() : null, t.path("written").asBoolean(),
                    t.hasNonNull("checksumChanged") ? t.get("checksumChanged").asBoolean() : null, t.path("checksumBefore").asText(null),
                    t.path("checksumAfter").asText(null), t.path("note").asText(null),
                    t.hasNonNull("schemaChanged") ? t.get("schemaChanged").asBoolean() : null, edits));
        }
        List<Expect> ex = new ArrayList<>();
        List<ObjectNode> events = expectEvents.getOrDefault(step, List.of());
        int k = 0;
        for (JsonNode x : d.path("expectations")) {
            ObjectNode event = k < events.size() ? events.get(k) : null;
            k++;
            List<String> compared = new ArrayList<>();
            if (event != null && event.has("from")) {
                for (long s = event.get("from").asLong(); s < event.path("seq").asLong(); s++) {
                    ObjectNode o = bySeq.get(s);
                    if (o != null && o.path("type").asText().equals("observation") && !o.path("call").asText().equals("expect")) {
                        compared.add(call(o) + " → " + Observations.show(o.path("result")));
                    }
                }
            }
            String detail = x.path("detail").asText(null);
            if (detail == null && event != null && !x.path("passed").asBoolean()) {
                detail = event.path("detail").asText(null);
            }
            ex.add(new Expect(x.path("name").asText(), x.path("passed").asBoolean(), detail, x.has("millis") ? x.get("millis").asLong() : null,
                    compared));
        }
        String error = d.path("error").asText(null);
        return new StepView(index(names, step), of, step, status, why, d.has("millis") ? d.get("millis").asLong() : null, tables, ex,
                actions.getOrDefault(step, List.of()), error, true);
    }

    // ---------------------------------------------------------------- verdicts

    private static Verdict runVerdict(JsonNode run, ObjectNode finished, List<StepView> steps, ObjectNode end, List<String> errors, JournalFile j) {
        boolean dry = run.path("mode").asText().equals("dry_run");
        StepView last = null;
        for (StepView s : steps) {
            if (s.ran()) {
                last = s;
            }
        }
        String tally = tally(steps);
        if (run.path("refused").asBoolean()) {
            return new Verdict("bad", "Refused before any step", (errors.isEmpty() ? "The run did not start." : errors.get(errors.size() - 1))
                    + " Nothing was written.");
        }
        String ending = finished == null ? null : finished.path("details").path("ending").asText(null);
        String message = finished == null ? null : finished.path("details").path("message").asText(null);
        if (ending == null) {
            ending = derivedEnding(finished, steps, end, last);
        }
        String at = last == null ? "" : " at step " + last.index() + " of " + last.of();
        String named = last == null ? "" : " '" + last.name() + "'";
        return switch (ending) {
            case "done" -> dry ? new Verdict("ok", "Dry run completed", "Every step ran and was rolled back; nothing changed. " + tally)
                    : new Verdict("ok", "Completed", steps.stream().noneMatch(StepView::ran) ? "Every selected step was already applied; nothing to do. "
                    + tally : "Every selected step was handled. " + tally);
            case "quit" -> new Verdict("warn", "Stopped" + at, (message != null ? message : "Stopped by the operator at step" + named + ".")
                    + " " + tally);
            case "cancelled" -> new Verdict("warn", "Stopped" + at, (message != null ? message + "." : "Cancelled" + (end != null
                    && end.hasNonNull("cancelled") ? " (" + end.get("cancelled").asText() + ")" : "") + ".") + " " + tally);
            case "expectation_failed" -> dry ? new Verdict("bad", "Dry run: expectations failed", "At step " + String.join(", ", steps.stream()
                    .filter(s -> s.expectations().stream().anyMatch(e -> !e.passed())).map(s -> s.index() + " '" + s.name() + "'").toList())
                    + ". Every step was rolled back; nothing changed. " + tally)
                    : new Verdict("bad", "Failed" + at, (message != null ? message : "An expectation failed at step" + named
                    + "; the step was rolled back.") + " " + tally);
            case "step_failed" -> new Verdict("bad", "Failed" + at, (message != null ? message : "Step" + named + " failed and was rolled back.")
                    + " " + tally);
            case "unfinished" -> new Verdict("bad", "Did not finish", "The journal ends without the run's end"
                    + (j.problem() == null ? "" : " (" + j.problem() + ")") + ". As far as it records: " + tally);
            default -> new Verdict("bad", "Failed" + at, (errors.isEmpty() ? "The run ended with status " + (end == null ? "?"
                    : end.path("status").asInt()) + "." : errors.get(errors.size() - 1)) + " " + tally);
        };
    }

    /** "Steps: 2 committed, 1 rolled back, 1 pending." over every step of the playbook. */
    static String tally(List<StepView> steps) {
        Map<Status, Integer> n = new java.util.EnumMap<>(Status.class);
        steps.forEach(s -> n.merge(s.status(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        n.forEach((st, c) -> parts.add(c + " " + st.label));
        return parts.isEmpty() ? "" : "Steps: " + String.join(", ", parts) + ".";
    }

    /** For journals whose finished event does not name the ending: read it from the steps and the end event. */
    private static String derivedEnding(ObjectNode finished, List<StepView> steps, ObjectNode end, StepView last) {
        if (end == null) {
            return "unfinished";
        }
        if (end.hasNonNull("cancelled")) {
            return "cancelled";
        }
        if (last != null && last.status() == Status.FAILED) {
            return "step_failed";
        }
        if (finished == null) {
            return "error";
        }
        String summary = finished.path("details").path("summary").asText("");
        if (summary.contains("expectation(s) failed") || summary.contains("Some expectations failed")) {
            return "expectation_failed";
        }
        if (last != null && last.status() == Status.ROLLED_BACK && !last.why().startsWith("dry run")) {
            return "quit";
        }
        return end.path("status").asInt() == 0 ? "done" : "error";
    }

    private static Verdict sessionVerdict(ObjectNode end, List<String> errors, JournalFile j) {
        if (end == null) {
            return new Verdict("bad", "Did not finish", "The journal ends without the session's end" + (j.problem() == null ? "" : " (" + j.problem() + ")") + ".");
        }
        int status = end.path("status").asInt();
        return status == 0 ? new Verdict("ok", "Session ended", "The console session ended normally" + (errors.isEmpty() ? "." : "; "
                + errors.size() + " input(s) failed along the way."))
                : new Verdict("bad", "Session ended with status " + status, errors.isEmpty() ? "" : errors.get(errors.size() - 1));
    }

    // ---------------------------------------------------------------- replay

    private static Replay replay(ObjectNode start, ObjectNode result, String legacyReplayed, String legacyDivergence, ZoneId zone, List<String> gaps) {
        JsonNode s = start == null ? null : start.path("details");
        JsonNode r = result == null ? null : result.path("details");
        if (s == null) {
            gaps.add("the journal does not record the replay field by field (it was written before Sluice did): the divergence is shown as recorded");
        }
        List<String> diffs = new ArrayList<>();
        if (s != null) {
            s.path("fingerprintDifferences").forEach(d -> diffs.add(d.asText()));
        }
        Divergence divergence = null;
        if (r != null && r.has("divergence")) {
            JsonNode d = r.get("divergence");
            String input = d.hasNonNull("input") ? d.get("input").asText().strip() : null;
            divergence = new Divergence(d.hasNonNull("seq") ? d.get("seq").asLong() : null, input, d.path("what").asText(null),
                    d.path("hint").asText(null), fields(d.get("recorded"), d.get("now")));
        }
        return new Replay(s != null ? s.path("journal").asText() : legacyReplayed, s == null ? null : s.path("kind").asText(null),
                s == null ? null : s.path("user").asText("?") + "@" + s.path("host").asText("?"),
                s == null ? null : instant(s.path("start").asText(null), zoneOf(s, zone)), diffs, r == null ? null : r.path("outcome").asText(null),
                r != null && r.has("inputs") ? r.get("inputs").asInt() : null, r != null && r.has("observations") ? r.get("observations").asInt() : null,
                divergence, divergence == null ? legacyDivergence : null);
    }

    private static ZoneId zoneOf(JsonNode s, ZoneId fallback) {
        try {
            return s.hasNonNull("zone") ? ZoneId.of(s.get("zone").asText()) : fallback;
        } catch (java.time.DateTimeException e) {
            return fallback;
        }
    }

    /** Recorded vs now as rows: an object field by field (a checksum's rows and sha256, a fingerprint's counts), a value as one row. */
    static List<Field> fields(JsonNode recorded, JsonNode now) {
        List<Field> out = new ArrayList<>();
        boolean rObj = recorded != null && recorded.isObject();
        boolean nObj = now != null && now.isObject();
        if (rObj || nObj) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            if (rObj) {
                recorded.fieldNames().forEachRemaining(names::add);
            }
            if (nObj) {
                now.fieldNames().forEachRemaining(names::add);
            }
            for (String n : names) {
                JsonNode a = rObj ? recorded.get(n) : null;
                JsonNode b = nObj ? now.get(n) : null;
                if (a != null && b != null && a.isObject() && b.isObject()) {
                    for (Field f : fields(a, b)) {
                        out.add(new Field(n + "." + f.name(), f.recorded(), f.now(), f.differs()));
                    }
                } else {
                    out.add(new Field(n, value(a), value(b), !java.util.Objects.equals(a, b)));
                }
            }
            return out;
        }
        out.add(new Field("value", recorded == null || recorded.isNull() ? "nothing" : Observations.show(recorded),
                now == null || now.isNull() ? "nothing" : Observations.show(now), !java.util.Objects.equals(recorded, now)));
        return out;
    }

    private static String value(JsonNode n) {
        if (n == null || n.isNull()) {
            return "—";
        }
        if (n.isTextual()) {
            return n.asText();
        }
        return Observations.show(n);
    }

    private static Verdict replayVerdict(Replay replay, ObjectNode end, List<String> errors) {
        String outcome = replay.outcome();
        if (outcome == null) {
            outcome = end == null ? "unfinished" : end.path("status").asInt() == 0 ? "matched" : replay.legacyText() != null ? "diverged" : "error";
        }
        Divergence d = replay.divergence();
        return switch (outcome) {
            case "matched" -> new Verdict("ok", "Replay matched the recording", (replay.inputs() == null ? "" : replay.inputs() + " "
                    + ("run".equals(replay.recordedKind()) ? "step(s)" : "input(s)") + " replayed, " + replay.observations() + " observation(s) as recorded."));
            case "diverged" -> new Verdict("bad", "Replay diverged" + (d == null || d.input() == null ? "" : " at " + headline(d.input())),
                    d == null ? "Today's data differs from the recording (below)." : d.what() + firstDifference(d) + ".");
            case "stopped" -> new Verdict("warn", "Replay stopped", "Stopped by the operator after " + replay.inputs() + " input(s); "
                    + replay.observations() + " observation(s) matched until then.");
            case "refused" -> new Verdict("bad", "Not replayed", "The workspace differs from the recording's (below); --yes replays anyway.");
            case "unfinished" -> new Verdict("bad", "Replay did not finish", "The journal ends without the replay's end.");
            default -> new Verdict("bad", "Replay failed", errors.isEmpty() ? "The replay ended with status "
                    + (end == null ? "?" : end.path("status").asInt()) + "." : errors.get(errors.size() - 1));
        };
    }

    /** An input as a headline: its first line, at most 80 characters. */
    private static String headline(String input) {
        String first = input.lines().findFirst().orElse("");
        boolean cut = first.length() > 80 || input.contains("\n");
        return (first.length() > 80 ? first.substring(0, 79) : first) + (cut ? "…" : "");
    }

    /** ": recorded 2,000, now 2,001" for the first field that differs (its name too when the value has several). */
    private static String firstDifference(Divergence d) {
        for (Field f : d.fields()) {
            if (f.differs()) {
                return ": " + (d.fields().size() > 1 ? f.name() + " " : "") + "recorded " + f.recorded() + ", now " + f.now();
            }
        }
        return "";
    }
}
