package dev.sluice.journal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.dsl.Expectation;
import dev.sluice.playbook.ActionRecord;
import dev.sluice.playbook.Decision;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.RunListener;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.RunSummary;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepResult;
import dev.sluice.playbook.StepStatus;
import dev.sluice.playbook.TableChange;
import dev.sluice.schema.SchemaEdit;
import java.util.List;

/** Writes a playbook run into the journal: run start, each step's start and result (with its table changes), expectations, actions, decisions. */
public final class JournalRunListener implements RunListener {
    private final Journal journal;
    private String playbook;
    /** The seq the journal was at when the expectation being checked began, or -1. */
    private long expectationFrom = -1;

    public JournalRunListener(Journal journal) {
        this.journal = journal;
    }

    @Override
    public void runStarted(Playbook p, List<StepStatus> steps, RunOptions options) {
        ObjectNode d = runDetails(p, options);
        ArrayNode s = d.putArray("steps");
        steps.forEach(st -> s.addObject().put("name", st.step().name()).put("checksum", st.step().checksum()).put("state", st.state().name()));
        journal.step("run", playbook, null, d);
    }

    /**
     * A run refused before it started (preconditions, an edited applied step, a lock held): the run event is written
     * anyway, marked {@code refused}, so the journal (and its report) names the playbook the refusal was about.
     */
    public void refused(Playbook p, RunOptions options) {
        if (playbook != null) {
            return; // it started: the run event is written already
        }
        ObjectNode d = runDetails(p, options);
        d.put("refused", true);
        ArrayNode s = d.putArray("steps");
        p.steps().forEach(st -> s.addObject().put("name", st.name()).put("checksum", st.checksum()));
        journal.step("run", playbook, null, d);
    }

    private ObjectNode runDetails(Playbook p, RunOptions options) {
        playbook = p.id();
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("title", p.title());
        if (p.description() != null) {
            d.put("description", p.description());
        }
        d.put("file", p.displayPath());
        d.put("path", p.file().toAbsolutePath().toString());
        d.put("mode", options.mode().name().toLowerCase(java.util.Locale.ROOT));
        d.set("params", Journal.MAPPER.valueToTree(options.params()));
        ObjectNode defaults = Journal.MAPPER.createObjectNode(); // what a parameter not given on the command line was
        p.params().values().stream().filter(pa -> !options.params().containsKey(pa.name()) && pa.defaultValue() != null)
                .forEach(pa -> defaults.set(pa.name(), Journal.MAPPER.valueToTree(pa.defaultValue())));
        d.set("defaults", defaults);
        d.put("startAt", options.startAt());
        d.put("stopAfter", options.stopAfter());
        d.put("only", options.only());
        return d;
    }

    @Override
    public void stepSkipped(StepStatus status, String reason) {
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("reason", reason);
        journal.step("skipped", playbook, status.step().name(), d);
    }

    @Override
    public void stepStarted(Step step, int position, int total) {
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("position", position);
        d.put("total", total);
        d.put("checksum", step.checksum());
        journal.step("start", playbook, step.name(), d);
    }

    @Override
    public void expectationStarted(Step step, String name) {
        expectationFrom = journal.nextSeq();
    }

    @Override
    public void expectation(Step step, Expectation e) {
        journal.expectation(e.name(), e.passed(), e.detail(), expectationFrom);
        expectationFrom = -1;
    }

    @Override
    public void action(Step step, ActionRecord r) {
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("verb", r.action().verb());
        d.put("description", r.action().description());
        d.put("outcome", r.outcome() == null ? "announced" : r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        journal.step("action", playbook, step.name(), d);
    }

    @Override
    public void stepResult(StepResult r) {
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("status", r.status().label());
        d.put("rowsChanged", r.rowsChanged());
        d.put("millis", r.millis());
        if (r.error() != null) {
            d.put("error", r.error());
        }
        ArrayNode tables = d.putArray("tables");
        for (TableChange t : r.tables()) {
            ObjectNode o = tables.addObject();
            o.put("tier", t.tier());
            o.put("table", t.table());
            if (t.before() != null) {
                o.put("before", t.before());
            }
            if (t.after() != null) {
                o.put("after", t.after());
            }
            o.put("written", t.written());
            if (t.checksumChanged() != null) {
                o.put("checksumChanged", t.checksumChanged());
            }
            if (t.checksumBefore() != null) {
                o.put("checksumBefore", t.checksumBefore());
                o.put("checksumAfter", t.checksumAfter());
            }
            if (t.note() != null) {
                o.put("note", t.note());
            }
            o.put("schemaChanged", t.schemaChanged());
            ArrayNode edits = o.putArray("schema"); // present (even empty) says the schema was compared
            for (SchemaEdit e : t.schema()) {
                ObjectNode x = edits.addObject().put("kind", e.kind()).put("name", e.name());
                if (e.before() != null) {
                    x.put("before", e.before());
                }
                if (e.after() != null) {
                    x.put("after", e.after());
                }
            }
        }
        ArrayNode ex = d.putArray("expectations");
        for (Expectation e : r.expectations()) {
            ObjectNode x = ex.addObject().put("name", e.name()).put("passed", e.passed()).put("millis", e.millis());
            if (e.detail() != null) {
                x.put("detail", e.detail());
            }
        }
        journal.step("result", playbook, r.step().name(), d);
    }

    @Override
    public void decision(Step step, Decision d) {
        if (d == Decision.INSPECT) {
            journal.step("inspect", playbook, step.name(), null);
            return;
        }
        journal.decision(d.label(), playbook, step.name());
    }

    @Override
    public void note(String message) {
        journal.output(message);
    }

    @Override
    public void runFinished(RunSummary summary) {
        ObjectNode d = Journal.MAPPER.createObjectNode();
        d.put("summary", summary.toString());
        d.put("exitStatus", summary.exitStatus());
        d.put("ending", summary.ending().name().toLowerCase(java.util.Locale.ROOT));
        if (summary.message() != null) {
            d.put("message", summary.message());
        }
        d.put("alreadyApplied", summary.alreadyApplied());
        journal.step("finished", playbook, null, d);
    }
}
