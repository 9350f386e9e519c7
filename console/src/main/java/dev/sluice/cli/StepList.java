package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.encoding.Json;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PreconditionReport;
import dev.sluice.playbook.StepState;
import dev.sluice.playbook.StepStatus;
import dev.sluice.tier.Format;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jline.utils.AttributedString;

/**
 * {@code sluice run --list}: every step's state as a table, as Flyway's {@code info} shows migrations (position, state,
 * name, when and by whom it was applied, on which tiers, in which run, and its checksum), with a line under the table
 * for each step that needs attention; or, with {@code --json}, the same as one JSON document for scripts, times as
 * stored (ISO-8601, UTC) and checksums whole.
 */
final class StepList {
    private static final List<String> HEADINGS = List.of("#", "Status", "Step", "Applied at", "By", "Tiers", "Run id", "Checksum");

    private StepList() {
    }

    static void print(PrintWriter out, Playbook pb, List<StepStatus> steps, PreconditionReport preconditions, boolean json) {
        if (json) {
            out.println(json(pb, steps, preconditions));
            return;
        }
        out.println("Playbook '" + pb.title() + "' (" + pb.displayPath() + ")" + (pb.description() == null ? "" : ": " + pb.description()));
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADINGS);
        List<String> notes = new ArrayList<>();
        for (StepStatus s : steps) {
            boolean applied = s.state() != StepState.PENDING;
            rows.add(List.of(Integer.toString(s.step().index()), status(s), s.step().name(),
                    applied && s.appliedAt() != null ? Format.time(s.appliedAt()) : "", applied && s.appliedBy() != null ? s.appliedBy() : "",
                    tiers(s), applied && s.runId() != null ? s.runId() : "", s.step().checksum().substring(0, 12)));
            String note = note(s, pb);
            if (note != null) {
                notes.add("  " + s.step().index() + " " + status(s) + ": " + note);
            }
        }
        int[] widths = new int[HEADINGS.size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                widths[i] = Math.max(widths[i], width(r.get(i)));
            }
        }
        for (int k = 0; k < rows.size(); k++) {
            out.println(line(rows.get(k), widths));
            if (k == 0) {
                List<String> rule = new ArrayList<>();
                for (int w : widths) {
                    rule.add("-".repeat(w));
                }
                out.println(line(rule, widths));
            }
        }
        notes.forEach(out::println);
        if (!preconditions.entries().isEmpty()) {
            out.println(preconditions);
        }
    }

    private static String status(StepStatus s) {
        return s.step().always() && s.state() == StepState.PENDING ? "always" : s.state().label();
    }

    private static String tiers(StepStatus s) {
        if (s.state() == StepState.PARTIAL) {
            List<String> marks = new ArrayList<>();
            s.appliedOn().forEach(n -> marks.add(n + " \u2713"));
            s.missingOn().forEach(n -> marks.add(n + " \u2717"));
            return String.join(" ", marks);
        }
        return s.state() == StepState.PENDING ? "" : String.join(", ", s.appliedOn());
    }

    /** What a row alone does not say: why a step is not simply applied or pending, and what to do. */
    private static String note(StepStatus s, Playbook pb) {
        return switch (s.state()) {
            case CHANGED -> "applied as sha256 " + s.appliedChecksum().substring(0, 12) + "…, the source is now " + s.step().shortChecksum()
                    + "; revert the edit, or run 'sluice repair " + pb.displayPath() + " --step \"" + s.step().name() + "\"' to accept it.";
            case PARTIAL -> "committed on " + String.join(", ", s.appliedOn()) + " but not on " + String.join(", ", s.missingOn())
                    + "; the next run restores and re-runs it (or see 'sluice repair').";
            case PENDING -> s.step().always() ? "runs on every run" + (s.appliedAt() == null ? "" : "; last at " + Format.time(s.appliedAt())) + "." : null;
            case APPLIED -> null;
        };
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append("  ");
            if (i == 0) {
                sb.append(" ".repeat(widths[i] - width(c))).append(c); // positions right-aligned
            } else {
                sb.append(c).append(" ".repeat(widths[i] - width(c)));
            }
        }
        return sb.toString().stripTrailing();
    }

    /** Columns on a terminal, so names in CJK or with emoji keep the table aligned. */
    private static int width(String s) {
        return new AttributedString(s).columnLength();
    }

    private static String json(Playbook pb, List<StepStatus> steps, PreconditionReport preconditions) {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode p = root.putObject("playbook");
        p.put("title", pb.title());
        p.put("path", pb.displayPath());
        p.put("description", pb.description());
        ArrayNode list = root.putArray("steps");
        for (StepStatus s : steps) {
            ObjectNode n = list.addObject();
            n.put("index", s.step().index());
            n.put("name", s.step().name());
            n.put("status", status(s));
            n.put("always", s.step().always());
            n.put("checksum", s.step().checksum());
            boolean applied = s.state() != StepState.PENDING || s.appliedAt() != null;
            n.put("appliedAt", applied ? s.appliedAt() : null);
            n.put("appliedBy", applied ? s.appliedBy() : null);
            n.put("appliedChecksum", applied ? s.appliedChecksum() : null);
            n.put("runId", applied ? s.runId() : null);
            ArrayNode on = n.putArray("appliedOn");
            s.appliedOn().forEach(on::add);
            ArrayNode missing = n.putArray("missingOn");
            s.missingOn().forEach(missing::add);
        }
        ArrayNode pre = root.putArray("preconditions");
        for (PreconditionReport.Entry e : preconditions.entries()) {
            ObjectNode n = pre.addObject();
            n.put("scope", e.scope());
            n.put("what", e.what());
            n.put("outcome", e.deferred() ? "deferred" : e.failed() ? "failed" : "holds");
            n.put("line", e.line());
        }
        try {
            return Json.pretty().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings, numbers and booleans always serialises
        }
    }
}
