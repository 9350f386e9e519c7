package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** Turns a journal into a Markdown runbook a person can follow: what to check first, each input, what it must show, each decision. */
public final class MarkdownExport {
    private MarkdownExport() {
    }

    public static String render(JournalFile j) {
        ObjectNode h = j.header();
        StringBuilder md = new StringBuilder();
        md.append("# Runbook: ").append(j.path().getFileName()).append("\n\n");
        md.append("Recorded by **").append(h.path("user").asText()).append("** on **").append(h.path("host").asText())
                .append("** at ").append(h.path("start").asText()).append(" with Sluice ").append(h.path("sluice").asText())
                .append(" (JDK ").append(h.path("jdk").asText()).append("), workspace `").append(h.path("workspace").asText()).append("`.\n\n");
        if (j.problem() != null) {
            md.append("> **Warning:** ").append(j.problem()).append(".\n\n");
        }
        md.append("## Before you start\n\nThe workspace looked like this when the session was recorded; check yours does too "
                + "(`sluice status`).\n\n| tier | table | rows |\n| --- | --- | ---: |\n");
        for (JsonNode f : h.path("fingerprint")) {
            Iterator<Map.Entry<String, JsonNode>> it = f.path("counts").fields();
            while (it.hasNext()) {
                var e = it.next();
                md.append("| ").append(f.path("tier").asText()).append(" | ").append(e.getKey()).append(" | ")
                        .append(String.format(java.util.Locale.ROOT, "%,d", e.getValue().asLong())).append(" |\n");
            }
        }
        md.append("\n## Procedure\n\n");
        int n = 0;
        for (ObjectNode e : j.events()) {
            switch (e.path("type").asText()) {
                case "input" -> {
                    n++;
                    String kind = e.path("kind").asText();
                    md.append(n).append(". ").append(kind.equals("command") ? "Run the console command:" : "Evaluate (" + kind + "):")
                            .append("\n\n   ```").append(kind.equals("groovy") ? "groovy" : kind.equals("java") ? "java" : "")
                            .append('\n');
                    e.path("text").asText().lines().forEach(l -> md.append("   ").append(l).append('\n'));
                    md.append("   ```\n\n");
                }
                case "observation" -> {
                    String call = e.path("call").asText();
                    if (call.equals("expect")) {
                        md.append("   - Expectation *").append(e.path("args").path(0).asText()).append("* must hold (it ")
                                .append(e.path("result").asBoolean() ? "held" : "**failed**").append(").\n");
                    } else if (e.has("varies")) {
                        md.append("   - It shows a value that cannot repeat (").append(e.path("varies").asText()).append("): not compared.\n");
                    } else if (call.equals(Observations.VALUE)) {
                        md.append("   - Expect it to show **").append(Observations.show(e.path("result"))).append("**\n");
                    } else {
                        md.append("   - Expect `").append(e.path("tier").asText()).append('.').append(call).append(args(e.path("args")))
                                .append("` → **").append(Observations.show(e.path("result"))).append("**\n");
                    }
                }
                case "step" -> {
                    if (e.path("phase").asText().equals("start")) {
                        md.append("\n### Step: ").append(e.path("step").asText()).append(" (playbook ").append(e.path("playbook").asText())
                                .append(")\n\n");
                    } else {
                        md.append("   - Step result: ").append(e.path("phase").asText()).append(e.has("details") ? " " + summary(e.path("details")) : "")
                                .append('\n');
                    }
                }
                case "decision" -> md.append("\n   **Decision: ").append(e.path("decision").asText()).append("**")
                        .append(e.has("step") ? " (step " + e.path("step").asText() + ")" : "").append("\n\n");
                case "error" -> md.append("   - Error seen: `").append(e.path("kind").asText()).append(": ").append(e.path("message").asText())
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

    private static String summary(JsonNode d) {
        String s = d.toString();
        return s.length() > 300 ? s.substring(0, 299) + "…" : s;
    }
}
