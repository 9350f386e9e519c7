package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a recorded console session into a Groovy playbook: inputs up to each commit form a step (a group ended by a
 * rollback is left out), explicit begin/commit calls are dropped (the step is the transaction), and every observation
 * becomes an {@code expect} that the value is what was recorded. Java snippets are written as they were typed: Groovy
 * reads nearly all Java; a {@code $} inside a double-quoted string is the one thing to check by hand.
 */
public final class PlaybookExport {
    private static final Pattern PURE_OBSERVATION = Pattern.compile(
            "\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\.\\s*(count|counts|checksum|fingerprint|integrity|quickCheck|foreignKeyCheck)\\s*\\(.*\\)\\s*;?\\s*",
            Pattern.DOTALL);
    private static final Pattern TX_CALL = Pattern.compile("^\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\.\\s*(begin|commit|rollback)\\s*\\(\\s*\\)\\s*;?\\s*$");
    private static final Pattern PLAYBOOK_COMMAND = Pattern.compile("^\\s*/(run|next|commit|rollback|skip)\\b");
    private static final Pattern ENDS_GROUP = Pattern.compile("\\.\\s*(commit|rollback)\\s*\\(\\s*\\)");

    private PlaybookExport() {
    }

    /** One input of the session with the observations it made. */
    record Input(String kind, String text, List<ObjectNode> observations) {
    }

    public static String render(JournalFile j) {
        String kind = j.header().path("kind").asText();
        if (!kind.equals("console")) {
            throw new SluiceException(ErrorCode.USAGE, "Journal " + j.path() + " records a " + kind + ", not a console session: "
                    + "its playbook is the runbook already. Export it with --to markdown.");
        }
        List<List<Input>> steps = new ArrayList<>();
        List<Input> current = new ArrayList<>();
        Input last = null;
        Set<String> tiersUsed = new LinkedHashSet<>();
        for (ObjectNode e : j.events()) {
            String type = e.path("type").asText();
            if (type.equals("input") && e.path("kind").asText().equals("command") && PLAYBOOK_COMMAND.matcher(e.path("text").asText()).find()) {
                throw new SluiceException(ErrorCode.USAGE, "Journal " + j.path() + " steps through a playbook at the console ("
                        + e.path("text").asText().strip() + "): that playbook is the runbook. Export this session --to markdown, or replay it.");
            }
            if (type.equals("input") && !e.path("kind").asText().equals("command")) {
                last = new Input(e.path("kind").asText(), e.path("text").asText(), new ArrayList<>());
                current.add(last);
                String text = last.text();
                if (ENDS_GROUP.matcher(text).find()) {
                    if (text.contains("rollback")) {
                        current.clear();
                    } else {
                        steps.add(current);
                        current = new ArrayList<>();
                    }
                }
            } else if (type.equals("observation") && last != null && !e.path("call").asText().equals("expect")) {
                last.observations().add(e);
                tiersUsed.add(e.path("tier").asText());
            } else if (type.equals("error") && last != null) {
                current.remove(last); // an input that failed is not part of the procedure
                last = null;
            }
        }
        if (!current.isEmpty()) {
            steps.add(current);
        }
        StringBuilder g = new StringBuilder();
        g.append("// Exported by 'sluice export' from ").append(j.path().getFileName()).append(", recorded by ")
                .append(j.header().path("user").asText()).append(" at ").append(j.header().path("start").asText()).append(".\n");
        g.append("// Each step holds the inputs up to a commit; each expect checks a value observed in the recording.\n");
        g.append("playbook ").append(lit("Recorded session " + j.path().getFileName())).append(", {\n");
        g.append("    description ").append(lit("Replays the console session of " + j.header().path("user").asText() + " at "
                + j.header().path("start").asText() + " as a playbook.")).append('\n');
        List<String> all = new ArrayList<>();
        j.header().path("fingerprint").forEach(f -> all.add(f.path("tier").asText()));
        List<String> required = all.stream().filter(tiersUsed::contains).toList();
        List<String> optional = all.stream().filter(t -> !tiersUsed.contains(t)).toList();
        List<String> parts = new ArrayList<>(required.stream().map(PlaybookExport::lit).toList());
        if (!optional.isEmpty()) {
            parts.add(0, "optional: [" + String.join(", ", optional.stream().map(PlaybookExport::lit).toList()) + "]");
        }
        if (!parts.isEmpty()) {
            g.append("    tiers ").append(String.join(", ", parts)).append('\n');
        }
        int n = 1;
        for (List<Input> step : steps) {
            if (step.isEmpty()) {
                continue;
            }
            g.append("\n    step ").append(lit("recorded step " + n++ + ": " + title(step))).append(", {\n");
            int e = 1;
            for (Input in : step) {
                String text = in.text().strip();
                boolean pure = !in.observations().isEmpty() && in.kind().equals("java") && PURE_OBSERVATION.matcher(text).matches();
                if (!pure && !TX_CALL.matcher(text).matches()) {
                    String groovy = in.kind().equals("java") ? escapeDollars(text) : text;
                    groovy.lines().forEach(l -> g.append("        ").append(l).append('\n'));
                }
                for (ObjectNode o : in.observations()) {
                    String check = check(o);
                    if (check == null) {
                        g.append("        // recorded: ").append(describe(o)).append(" → ").append(Observations.show(o.path("result")).replace("\n", " "))
                                .append('\n');
                        continue;
                    }
                    g.append("        expect(").append(lit(describe(o) + " as recorded (" + e++ + ")")).append(") { ")
                            .append(check).append(" }\n");
                }
            }
            g.append("    }\n");
        }
        if (n == 1) {
            throw new SluiceException(ErrorCode.USAGE, "Journal " + j.path() + " holds no committed input to export. Record a session "
                    + "that runs DSL calls, then export it.");
        }
        return g.append("}\n").toString();
    }

    private static String title(List<Input> step) {
        String first = step.get(0).text().strip().lines().findFirst().orElse("");
        return first.length() > 50 ? first.substring(0, 49) + "…" : first;
    }

    static String describe(ObjectNode o) {
        if (o.path("call").asText().equals(Observations.VALUE)) {
            return "the value shown" + (o.has("varies") ? " (" + o.path("varies").asText() + ", not compared)" : "");
        }
        return o.path("tier").asText() + "." + o.path("call").asText() + MarkdownExport.args(o.path("args"));
    }

    /** Java text as Groovy: a {@code $} inside a double-quoted string would start an interpolation there, so it is escaped. */
    static String escapeDollars(String java) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        char quote = 0;
        for (int i = 0; i < java.length(); i++) {
            char c = java.charAt(i);
            if (inString) {
                if (c == '\\' && i + 1 < java.length()) {
                    out.append(c).append(java.charAt(++i));
                    continue;
                }
                if (c == quote) {
                    inString = false;
                } else if (c == '$' && quote == '"') {
                    out.append('\\');
                }
            } else if (c == '"' || c == '\'') {
                inString = true;
                quote = c;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** A Groovy boolean expression that holds when the call returns what was recorded, or null when the call has none. */
    static String check(ObjectNode o) {
        String call = o.path("tier").asText() + "." + o.path("call").asText() + "(" + args(o.path("args")) + ")";
        JsonNode r = o.path("result");
        return switch (o.path("call").asText()) {
            case "count" -> call + " == " + r.asLong() + "L";
            case "checksum" -> call + ".sha256() == " + lit(r.path("sha256").asText()) + " && " + call + ".rows() == " + r.path("rows").asLong() + "L";
            case "counts" -> call + " == " + map(r);
            case "integrity", "quickCheck", "foreignKeyCheck" -> call + ".ok() == " + r.path("ok").asBoolean();
            case "fingerprint" -> call + ".schemaSha256() == " + lit(r.path("schemaSha256").asText()) + " && " + call + ".counts() == "
                    + map(r.path("counts"));
            default -> null; // copy, diff, backfill, spot check: the call itself, re-run in the step, verifies itself
        };
    }

    private static String map(JsonNode m) {
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = m.fields();
        while (it.hasNext()) {
            var e = it.next();
            parts.add(lit(e.getKey()) + ": " + e.getValue().asLong() + "L");
        }
        return parts.isEmpty() ? "[:]" : "[" + String.join(", ", parts) + "]";
    }

    private static String args(JsonNode a) {
        List<String> parts = new ArrayList<>();
        for (JsonNode x : a) {
            parts.add(value(x));
        }
        return String.join(", ", parts);
    }

    private static String value(JsonNode x) {
        if (x.isTextual()) {
            return lit(x.asText());
        }
        if (x.isArray()) {
            List<String> parts = new ArrayList<>();
            x.forEach(v -> parts.add(value(v)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (x.isIntegralNumber()) {
            return x.asText() + (x.canConvertToInt() ? "" : "L");
        }
        return x.isNull() ? "null" : x.toString();
    }

    /** A single-quoted Groovy string (no interpolation). */
    static String lit(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
    }
}
