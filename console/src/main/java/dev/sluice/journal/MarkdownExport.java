package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns a journal into a Markdown runbook a person can follow: how to open the console, what to check first, each input,
 * what it must show (the console's own text, and each value it observed, rendered as the console renders it), each
 * decision. Paths are the workspace's folder name and paths relative to it, not the recording machine's.
 */
public final class MarkdownExport {
    private MarkdownExport() {
    }

    public static String render(JournalFile j) {
        ObjectNode h = j.header();
        StringBuilder md = new StringBuilder();
        md.append("# Runbook: ").append(j.path().getFileName()).append("\n\n");
        String workspace = java.nio.file.Path.of(h.path("workspace").asText()).getFileName() == null ? "."
                : java.nio.file.Path.of(h.path("workspace").asText()).getFileName().toString();
        md.append("Recorded by **").append(h.path("user").asText()).append("** on **").append(h.path("host").asText())
                .append("** at ").append(h.path("start").asText()).append(" with Sluice ").append(h.path("sluice").asText())
                .append(" (JDK ").append(h.path("jdk").asText()).append("), in a workspace named `").append(workspace)
                .append("`").append(h.path("sandbox").asBoolean() ? ", on sandbox copies of its tiers" : "").append(".\n\n");
        if (j.problem() != null) {
            md.append("> **Warning:** ").append(j.problem()).append(".\n\n");
        }
        md.append("## Before you start\n\nOpen the console on your workspace (`WORKSPACE` is its folder, here `").append(workspace)
                .append("`):\n\n```bash\nsluice console -w WORKSPACE\n```\n\nThe workspace looked like this when the session was recorded; "
                + "check yours does too (`sluice status -w WORKSPACE`).\n\n| tier | table | rows |\n| --- | --- | ---: |\n");
        for (JsonNode f : h.path("fingerprint")) {
            if (f.has(JournalFile.COUNTS_NOT_RECORDED)) {
                md.append("| ").append(f.path("tier").asText()).append(" | (row counts not recorded: ")
                        .append(f.path(JournalFile.COUNTS_NOT_RECORDED).asText()).append(") | |\n");
            }
            Iterator<Map.Entry<String, JsonNode>> it = f.path("counts").fields();
            while (it.hasNext()) {
                var e = it.next();
                md.append("| ").append(f.path("tier").asText()).append(" | ").append(e.getKey()).append(" | ")
                        .append(String.format(java.util.Locale.ROOT, "%,d", e.getValue().asLong())).append(" |\n");
            }
        }
        md.append("\n## Procedure\n\n");
        int n = 0;
        String in = "   "; // a list item's continuation lines line up under its text: 3 spaces for "9. ", 4 for "10. "
        for (ObjectNode e : j.events()) {
            switch (e.path("type").asText()) {
                case "input" -> {
                    n++;
                    in = " ".repeat((n + ". ").length());
                    String kind = e.path("kind").asText();
                    md.append(n).append(". ").append(kind.equals("command") ? "Run the console command:" : "Evaluate (" + kind + "):")
                            .append("\n\n").append(in).append("```").append(kind.equals("groovy") ? "groovy" : kind.equals("java") ? "java" : "")
                            .append('\n');
                    String pad = in;
                    e.path("text").asText().lines().forEach(l -> md.append(pad).append(l).append('\n'));
                    md.append(in).append("```\n\n");
                }
                case "output" -> {
                    String shown = e.path("summary").asText().strip();
                    if (!shown.isEmpty() && n > 0) {
                        String pad = in;
                        md.append(md.charAt(md.length() - 2) == '\n' ? "" : "\n").append(in).append("The console shows:\n\n").append(in).append("```\n");
                        shown.lines().forEach(l -> md.append(pad).append(l).append('\n'));
                        md.append(in).append("```\n\n");
                    }
                }
                case "observation" -> {
                    String call = e.path("call").asText();
                    if (call.equals("expect")) {
                        md.append(in).append("- Expectation *").append(e.path("args").path(0).asText()).append("* must hold (it ")
                                .append(e.path("result").asBoolean() ? "held" : "**failed**").append(").\n");
                    } else if (e.has("varies")) {
                        md.append(in).append("- It shows a value that cannot repeat (").append(e.path("varies").asText()).append("): not compared.\n");
                    } else if (call.equals(Observations.VALUE)) {
                        md.append(in).append("- Expect it to show **").append(Observations.show(e.path("result"))).append("**\n");
                    } else {
                        md.append(in).append("- Expect `").append(e.path("tier").asText()).append('.').append(call).append(args(e.path("args")))
                                .append("` → **").append(rendered(call, e.path("result"))).append("**\n");
                    }
                }
                case "step" -> {
                    if (e.path("phase").asText().equals("start")) {
                        md.append("\n### Step: ").append(e.path("step").asText()).append(" (playbook ").append(e.path("playbook").asText())
                                .append(")\n\n");
                    } else {
                        md.append(in).append("- Step ").append(e.path("phase").asText()).append(e.has("details") ? ": " + summary(e.path("details")) : "")
                                .append('\n');
                    }
                }
                case "decision" -> md.append("\n").append(in).append("**Decision: ").append(e.path("decision").asText()).append("**")
                        .append(e.has("step") ? " (step " + e.path("step").asText() + ")" : "").append("\n\n");
                case "error" -> md.append(in).append("- Error seen: `").append(e.path("kind").asText()).append(": ").append(e.path("message").asText())
                        .append("`\n");
                case "record" -> md.append(e.path("on").asBoolean() ? "\n_(recording resumed)_\n\n" : "\n_(recording paused here: inputs missing)_\n\n");
                case "end" -> md.append("\nSession ended with status ").append(e.path("status").asInt()).append(" at ").append(e.path("time").asText())
                        .append(".\n");
                default -> {
                    // output summaries are not part of the procedure
                }
            }
        }
        return md.toString();
    }

    static String args(JsonNode args) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < args.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(args.get(i).isTextual() ? "\"" + args.get(i).asText() + "\"" : args.get(i).toString());
        }
        return sb.append(')').toString();
    }

    /** A step event's details in words: a result's status, rows changed and tables; other phases their fields. */
    private static String summary(JsonNode d) {
        if (d.has("tables")) {
            StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%,d row(s) changed", d.path("rowsChanged").asLong()));
            for (JsonNode t : d.path("tables")) {
                boolean changed = t.path("written").asBoolean() || !t.path("before").equals(t.path("after")) || t.path("checksumChanged").asBoolean();
                if (changed) {
                    sb.append("; ").append(t.path("tier").asText()).append('.').append(t.path("table").asText()).append(' ')
                            .append(t.has("before") ? String.format(java.util.Locale.ROOT, "%,d", t.path("before").asLong()) : "(new)").append(" → ")
                            .append(t.has("after") ? String.format(java.util.Locale.ROOT, "%,d", t.path("after").asLong()) : "(dropped)")
                            .append(t.path("checksumChanged").asBoolean() ? ", checksum changed" : "");
                }
            }
            return sb.toString();
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        d.fields().forEachRemaining(f -> parts.add(f.getKey() + " " + (f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString())));
        String s = String.join(", ", parts);
        return s.length() > 300 ? s.substring(0, 299) + "…" : s;
    }

    /** An observed value as the console renders it, not as JSON: a copy's rows and verdict, a diff's differences… */
    static String rendered(String call, JsonNode r) {
        return switch (call) {
            case "copy" -> String.format(java.util.Locale.ROOT, "%,d rows copied %s → %s, %s", r.path("rows").asLong(), r.path("source").asText(),
                    r.path("target").asText(), r.path("verified").asBoolean() ? "verified (count and checksum match"
                            + (r.path("targetChecksum").hasNonNull("sha256") ? ", sha256:" + r.path("targetChecksum").path("sha256").asText().substring(0, 12) + "…" : "") + ")"
                            : "not verified");
            case "diff" -> r.path("equal").asBoolean() ? String.format(java.util.Locale.ROOT, "equal (%,d rows)", r.path("countA").asLong())
                    : String.format(java.util.Locale.ROOT, "%d added, %d removed, %d changed (%,d vs %,d rows)", r.path("added").size(),
                    r.path("removed").size(), r.path("changed").size(), r.path("countA").asLong(), r.path("countB").asLong());
            case "spotCheck" -> r.path("sampled").asLong() + " keys sampled, " + (r.path("ok").asBoolean() ? "all match" : "**differences found**");
            case "backfill" -> String.format(java.util.Locale.ROOT, "%,d rows in %s, %s", r.path("rows").asLong(), r.path("table").asText(),
                    r.path("finished").asBoolean() ? "finished" : "not finished");
            case "integrity", "quickCheck", "foreignKeyCheck" -> r.path("ok").asBoolean() ? "ok" : "problems: " + Observations.show(r);
            case "fingerprint" -> "schema " + r.path("schemaSha256").asText().substring(0, Math.min(12, r.path("schemaSha256").asText().length()))
                    + "…, counts " + Observations.show(r.path("counts"));
            case Observations.QUERY -> {
                StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "%,d row(s)", r.path("rows").asLong()));
                int shown = 0;
                for (JsonNode row : r.path("head")) {
                    if (shown++ == 5) {
                        sb.append(" …");
                        break;
                    }
                    sb.append(shown == 1 ? ": " : "; ").append(row.isTextual() ? row.asText() : row.toString());
                }
                yield sb.toString();
            }
            default -> Observations.show(r);
        };
    }
}
