package dev.sluice.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.MarkdownExport;
import dev.sluice.journal.Observations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a journal (of a run, a replay or a console session) as a report: HTML when the file ends in .html, else Markdown. */
public final class Report {
    private Report() {
    }

    /** One step as the report shows it. */
    record StepRow(String name, String status, long millis, List<JsonNode> tables, List<JsonNode> expectations, String decision) {
    }

    public static Path write(JournalFile journal, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text = name.endsWith(".html") || name.endsWith(".htm") ? html(journal) : markdown(journal);
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.writeString(abs, text);
            dev.sluice.workspace.PrivateFiles.restrict(abs); // a report shows what the journal holds: the owner's only
            return abs;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write report " + file + ": " + e.getMessage() + ".", e);
        }
    }

    static List<StepRow> steps(JournalFile j) {
        List<StepRow> rows = new ArrayList<>();
        ObjectNode result = null;
        for (ObjectNode e : j.events()) {
            String type = e.path("type").asText();
            if (type.equals("step") && e.path("phase").asText().equals("result")) {
                if (result != null) {
                    rows.add(row(result, "none")); // a dry run decides nothing: every result stands on its own
                }
                result = e;
            } else if (type.equals("decision") && result != null && e.path("step").asText().equals(result.path("step").asText())) {
                rows.add(row(result, e.path("decision").asText()));
                result = null;
            }
        }
        if (result != null) {
            rows.add(row(result, "none"));
        }
        return rows;
    }

    private static StepRow row(ObjectNode r, String decision) {
        JsonNode d = r.path("details");
        List<JsonNode> tables = new ArrayList<>();
        d.path("tables").forEach(tables::add);
        List<JsonNode> ex = new ArrayList<>();
        d.path("expectations").forEach(ex::add);
        return new StepRow(r.path("step").asText(), d.path("status").asText(), d.path("millis").asLong(), tables, ex, decision);
    }

    static String outcome(JournalFile j) {
        for (ObjectNode e : j.events()) {
            if (e.path("type").asText().equals("end")) {
                return e.path("status").asInt() == 0 ? "succeeded" : "ended with status " + e.path("status").asInt();
            }
        }
        return "did not finish (no end event)";
    }

    public static String markdown(JournalFile j) {
        StringBuilder md = new StringBuilder();
        ObjectNode h = j.header();
        md.append("# Sluice report: ").append(h.path("kind").asText()).append(' ').append(outcome(j)).append("\n\n");
        md.append("Run by **").append(h.path("user").asText()).append("@").append(h.path("host").asText()).append("** at ")
                .append(h.path("start").asText()).append(", workspace `").append(h.path("workspace").asText()).append("`, journal `")
                .append(j.path()).append("`.\n\n");
        List<StepRow> steps = steps(j);
        if (!steps.isEmpty()) {
            md.append("## Steps\n\n| # | step | status | decision | time | rows before → after | expectations |\n| ---: | --- | --- | --- | ---: | --- | --- |\n");
            int i = 1;
            for (StepRow s : steps) {
                md.append("| ").append(i++).append(" | ").append(s.name()).append(" | ").append(s.status()).append(" | ").append(s.decision())
                        .append(" | ").append(s.millis()).append(" ms | ").append(tablesText(s.tables())).append(" | ")
                        .append(expectationsText(s.expectations())).append(" |\n");
            }
            md.append('\n');
        }
        md.append(MarkdownExport.render(j).replaceFirst("^# .*\n", "## Procedure and observations\n"));
        return md.toString();
    }

    private static String tablesText(List<JsonNode> tables) {
        List<String> parts = new ArrayList<>();
        for (JsonNode t : tables) {
            if (!t.path("written").asBoolean() && t.path("before").asLong() == t.path("after").asLong()) {
                continue;
            }
            parts.add(t.path("tier").asText() + "." + t.path("table").asText() + " " + n(t.get("before")) + " → " + n(t.get("after"))
                    + (t.path("checksumChanged").asBoolean(false) ? " (checksum changed)" : ""));
        }
        return parts.isEmpty() ? "no change" : String.join("<br>", parts);
    }

    private static String expectationsText(List<JsonNode> ex) {
        List<String> parts = new ArrayList<>();
        ex.forEach(e -> parts.add((e.path("passed").asBoolean() ? "✓ " : "✗ ") + e.path("name").asText()));
        return parts.isEmpty() ? "—" : String.join("<br>", parts);
    }

    private static String n(JsonNode v) {
        return v == null || v.isNull() ? "–" : String.format(Locale.ROOT, "%,d", v.asLong());
    }

    public static String html(JournalFile j) {
        ObjectNode h = j.header();
        List<StepRow> steps = steps(j);
        long total = Math.max(1, steps.stream().mapToLong(StepRow::millis).sum());
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice report</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330}")
                .append("h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border-bottom:1px solid #dde;padding:4px 8px;text-align:left;vertical-align:top}")
                .append(".ok{color:#1a7f37}.bad{color:#c62828}.bar{height:10px;background:#4a7bd0;display:inline-block;border-radius:2px}")
                .append(".before{background:#b8c4d8}.timeline{display:flex;height:22px;margin:1em 0;border:1px solid #ccd}")
                .append(".seg{height:100%;border-right:1px solid #fff;overflow:hidden;font-size:11px;color:#fff;padding:2px 4px;box-sizing:border-box}")
                .append(".commit{background:#2e7d32}.rollback,.quit{background:#c62828}.skip{background:#999}.none{background:#f9a825}")
                .append("code{background:#f3f4f8;padding:1px 4px;border-radius:3px}pre{background:#f3f4f8;padding:8px;overflow:auto}")
                .append("</style></head><body>");
        b.append("<h1>Sluice report: ").append(esc(h.path("kind").asText())).append(" ").append(esc(outcome(j))).append("</h1>");
        b.append("<p>Run by <b>").append(esc(h.path("user").asText())).append("@").append(esc(h.path("host").asText())).append("</b> at ")
                .append(esc(h.path("start").asText())).append(" with Sluice ").append(esc(h.path("sluice").asText())).append(", workspace <code>")
                .append(esc(h.path("workspace").asText())).append("</code>, journal <code>").append(esc(j.path().toString())).append("</code>.</p>");
        if (!steps.isEmpty()) {
            b.append("<h2>Timeline</h2><div class=\"timeline\">");
            for (StepRow s : steps) {
                double w = Math.max(2.0, 100.0 * s.millis() / total);
                b.append("<div class=\"seg ").append(esc(s.decision())).append("\" style=\"width:").append(String.format(Locale.ROOT, "%.1f", w))
                        .append("%\" title=\"").append(esc(s.name() + ": " + s.decision() + ", " + s.millis() + " ms")).append("\">")
                        .append(esc(s.name())).append("</div>");
            }
            b.append("</div><h2>Steps</h2><table><tr><th>#</th><th>step</th><th>decision</th><th>time</th><th>rows before → after</th><th>expectations</th></tr>");
            int i = 1;
            for (StepRow s : steps) {
                b.append("<tr><td>").append(i++).append("</td><td>").append(esc(s.name())).append("<br><small>").append(esc(s.status()))
                        .append("</small></td><td>").append(esc(s.decision())).append("</td><td>").append(s.millis()).append(" ms</td><td>")
                        .append(bars(s.tables())).append("</td><td>");
                for (JsonNode e : s.expectations()) {
                    boolean ok = e.path("passed").asBoolean();
                    b.append("<div class=\"").append(ok ? "ok" : "bad").append("\">").append(ok ? "✓ " : "✗ ").append(esc(e.path("name").asText()))
                            .append("</div>");
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("<h2>Observations</h2><table><tr><th>seq</th><th>call</th><th>result</th></tr>");
        for (ObjectNode e : j.events()) {
            if (e.path("type").asText().equals("observation")) {
                String call = e.path("call").asText();
                String shown = call.equals("expect") ? (e.path("result").asBoolean() ? "held" : "failed") : Observations.show(e.path("result"));
                b.append("<tr><td>").append(e.path("seq").asLong()).append("</td><td><code>").append(esc((e.has("tier") ? e.path("tier").asText() + "." : "")
                        + call + e.path("args").toString())).append("</code></td><td>").append(esc(shown)).append("</td></tr>");
            } else if (e.path("type").asText().equals("error")) {
                b.append("<tr><td>").append(e.path("seq").asLong()).append("</td><td class=\"bad\">error</td><td class=\"bad\">")
                        .append(esc(e.path("kind").asText() + ": " + e.path("message").asText())).append("</td></tr>");
            }
        }
        b.append("</table><h2>Inputs</h2>");
        for (ObjectNode e : j.events()) {
            if (e.path("type").asText().equals("input")) {
                b.append("<pre>").append(esc(e.path("text").asText())).append("</pre>");
            }
        }
        return b.append("</body></html>\n").toString();
    }

    private static String bars(List<JsonNode> tables) {
        long max = 1;
        for (JsonNode t : tables) {
            max = Math.max(max, Math.max(t.path("before").asLong(0), t.path("after").asLong(0)));
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode t : tables) {
            if (!t.path("written").asBoolean() && t.path("before").asLong() == t.path("after").asLong()) {
                continue;
            }
            long before = t.path("before").asLong(0);
            long after = t.path("after").asLong(0);
            b.append("<div><code>").append(esc(t.path("tier").asText() + "." + t.path("table").asText())).append("</code> ")
                    .append(esc(n(t.get("before")) + " → " + n(t.get("after"))))
                    .append(t.path("checksumChanged").asBoolean(false) ? " <small>(checksum changed)</small>" : "")
                    .append("<br><span class=\"bar before\" style=\"width:").append(Math.max(1, 200 * before / max)).append("px\"></span><br>")
                    .append("<span class=\"bar\" style=\"width:").append(Math.max(1, 200 * after / max)).append("px\"></span></div>");
        }
        return b.length() == 0 ? "no change" : b.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
