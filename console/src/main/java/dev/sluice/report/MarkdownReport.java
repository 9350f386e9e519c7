package dev.sluice.report;

import dev.sluice.report.ReportContent.Edit;
import dev.sluice.report.ReportContent.Expect;
import dev.sluice.report.ReportContent.Field;
import dev.sluice.report.ReportContent.Replay;
import dev.sluice.report.ReportContent.StepView;
import dev.sluice.report.ReportContent.TableView;
import dev.sluice.tier.Format;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report in Markdown, in the HTML page's order: verdict, facts, gaps, replay and divergence, steps at a glance, each step. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String render(ReportContent c) {
        StringBuilder md = new StringBuilder(8192);
        md.append("# ").append(c.verdict().headline()).append(c.run() != null && c.run().title() != null ? " — " + inline(c.run().title()) : "")
                .append("\n\n**").append(inline(c.verdict().detail())).append("**\n\n");
        md.append("| | |\n| --- | --- |\n");
        if (c.run() != null) {
            var r = c.run();
            row(md, "Playbook", inline(r.title() == null ? "(untitled)" : r.title()) + (r.description() == null ? "" : " — " + inline(r.description())));
            row(md, "File", cellCode(r.file()) + (r.path() == null || r.path().equals(r.file()) ? "" : " (" + cellCode(r.path()) + ")"));
            StringBuilder p = new StringBuilder();
            for (Map.Entry<String, String> e : r.params().entrySet()) {
                p.append(p.length() == 0 ? "" : ", ").append(cellCode(e.getKey() + " = " + e.getValue()))
                        .append(r.defaulted().contains(e.getKey()) ? " (default)" : "");
            }
            if (!r.defaultsKnown()) {
                p.append(p.length() == 0 ? "none given" : " given").append("; the defaults used are not recorded by this journal");
            }
            row(md, "Parameters", p.length() == 0 ? "none" : p.toString());
            row(md, "Mode", inline(r.mode()));
        }
        row(md, c.kind().equals("replay") ? "Replayed by" : "Run by", "**" + inline(c.user()) + "** on **" + inline(c.host()) + "**");
        row(md, "Workspace", cellCode(c.workspace()));
        row(md, "Started", ReportContent.when(c.started()));
        row(md, "Ended", c.ended() == null ? "not recorded (the journal ends early)" : ReportContent.when(c.ended()) + " — took **"
                + Format.duration(c.took()) + "**");
        row(md, "Journal", cellCode(c.journal().toString()) + (c.journalProblem() == null ? "" : " (" + inline(c.journalProblem()) + ")"));
        row(md, "Sluice", inline(c.sluice() + (c.jdk().isEmpty() ? "" : " on JDK " + c.jdk())));
        md.append('\n');
        if (!c.gaps().isEmpty()) {
            md.append("> **Not in this journal:**\n");
            c.gaps().forEach(g -> md.append("> - ").append(inline(g)).append('\n'));
            md.append('\n');
        }
        if (c.replay() != null) {
            replay(md, c.replay());
        }
        if (!c.steps().isEmpty()) {
            md.append("## Steps\n\n| # | step | status | time | schema | rows |\n| ---: | --- | --- | ---: | --- | --- |\n");
            for (StepView s : c.steps()) {
                md.append("| ").append(s.index()).append(" | ").append(inline(s.name())).append(" | ").append(s.status().label).append(" | ")
                        .append(s.millis() == null ? "" : Format.duration(Duration.ofMillis(s.millis()))).append(" | ").append(schemaSummary(s))
                        .append(" | ").append(rowsSummary(s)).append(" |\n");
            }
            md.append('\n');
            for (StepView s : c.steps()) {
                step(md, s);
            }
        }
        if (!c.errors().isEmpty()) {
            md.append("## Errors\n\n");
            c.errors().forEach(e -> md.append("- ").append(inline(e)).append('\n'));
            md.append('\n');
        }
        if (!c.observations().isEmpty()) {
            md.append("## Every observation in the journal\n\n| seq | call | result |\n| ---: | --- | --- |\n");
            c.observations().forEach(o -> md.append("| ").append(o.seq()).append(" | ").append(cellCode(o.call())).append(" | ").append(cell(o.result()))
                    .append(" |\n"));
            md.append('\n');
        }
        md.append("_Written by Sluice ").append(inline(c.sluice())).append(" from the journal ").append(code(c.journal().toString())).append("._\n");
        return md.toString();
    }

    private static void replay(StringBuilder md, Replay r) {
        md.append("## Replayed journal\n\n| | |\n| --- | --- |\n");
        row(md, "Journal", cellCode(r.journal() == null ? "not recorded" : r.journal()));
        if (r.recordedBy() != null) {
            row(md, "Recorded", inline((r.recordedKind() == null ? "" : r.recordedKind() + " ") + "by " + r.recordedBy() + " at "
                    + ReportContent.when(r.recordedAt())));
        }
        if (r.inputs() != null) {
            row(md, "Compared", r.inputs() + " " + ("run".equals(r.recordedKind()) ? "step(s)" : "input(s)") + " replayed, " + r.observations()
                    + " observation(s) matched");
        }
        md.append('\n');
        if (!r.workspaceDifferences().isEmpty()) {
            md.append("The workspace differed from the recording's before the replay:\n\n");
            r.workspaceDifferences().forEach(d -> md.append("- ").append(code(d)).append('\n'));
            md.append('\n');
        }
        var d = r.divergence();
        if (d != null) {
            md.append("## Divergence\n\n**").append(inline(d.what() == null ? "" : d.what())).append("**")
                    .append(d.seq() == null ? "" : " (recorded event seq " + d.seq() + ")").append("\n\n");
            if (d.input() != null) {
                md.append("While replaying ").append(code(d.input())).append(".\n\n");
            }
            md.append("| | recorded | now |\n| --- | --- | --- |\n");
            for (Field f : d.fields()) {
                String mark = f.differs() ? "**" : "";
                md.append("| ").append(cell(f.name())).append(" | ").append(mark).append(cell(f.recorded())).append(mark).append(" | ").append(mark)
                        .append(cell(f.now())).append(mark).append(" |\n");
            }
            md.append('\n');
            if (d.hint() != null) {
                md.append(inline(d.hint())).append("\n\n");
            }
        } else if (r.legacyText() != null) {
            md.append("## Divergence\n\n```\n").append(r.legacyText()).append("\n```\n\n");
        }
    }

    private static String schemaSummary(StepView s) {
        if (!s.ran()) {
            return "";
        }
        List<String> parts = new java.util.ArrayList<>();
        boolean known = true;
        for (TableView t : s.tables()) {
            if (t.edits() == null) {
                known = false;
                continue;
            }
            for (Edit e : t.edits()) {
                parts.add((e.change().equals("added") ? "+" : e.change().equals("dropped") ? "−" : "~") + e.kind() + " "
                        + (e.kind().equals("table") ? t.name() : t.table() + "." + e.name()));
            }
        }
        return parts.isEmpty() ? (known ? "none" : "not recorded") : cell(String.join(", ", parts));
    }

    private static String rowsSummary(StepView s) {
        List<String> parts = s.tables().stream().filter(TableView::changed).map(t -> t.name() + " " + delta(t)).toList();
        return cell(String.join(", ", parts));
    }

    private static String delta(TableView t) {
        if (t.before() == null) {
            return "new, " + Format.count(t.after() == null ? 0 : t.after());
        }
        if (t.after() == null) {
            return "dropped (had " + Format.count(t.before()) + ")";
        }
        long d = t.after() - t.before();
        return d == 0 ? "±0" : (d > 0 ? "+" : "−") + Format.count(Math.abs(d))
                + (t.before() > 0 ? String.format(Locale.ROOT, " (%+.1f%%)", 100.0 * d / t.before()) : "");
    }

    private static void step(StringBuilder md, StepView s) {
        md.append("### ").append(s.index()).append(". ").append(inline(s.name())).append(" — ").append(s.status().label).append("\n\n")
                .append(inline(ReportContent.sentence(s.why()))).append(s.millis() == null ? "" : " (" + Format.duration(Duration.ofMillis(s.millis())) + ")").append(".\n\n");
        if (!s.ran()) {
            return;
        }
        if (s.error() != null) {
            md.append("> **Error:** ").append(inline(s.error())).append("\n\n");
        }
        List<String> edits = new java.util.ArrayList<>();
        boolean known = true;
        for (TableView t : s.tables()) {
            if (t.edits() == null) {
                known = false;
                continue;
            }
            for (Edit e : t.edits()) {
                String what = "**" + e.change() + "** " + e.kind() + " " + code(e.kind().equals("table") ? t.name() : t.name() + "." + e.name());
                String detail = switch (e.change()) {
                    case "added" -> e.after() == null || e.after().isEmpty() ? "" : ": " + code(e.after());
                    case "dropped" -> e.kind().equals("table") && e.before() != null ? " (was: " + code(e.before()) + ")" : "";
                    default -> ": " + code(e.before()) + " → " + code(e.after());
                };
                edits.add("- " + what + detail); // no +/- sign: "- + x" would open a nested list
            }
        }
        md.append("**Schema:** ");
        if (!edits.isEmpty()) {
            md.append("\n\n").append(String.join("\n", edits)).append("\n\n");
        } else if (s.tables().isEmpty() && s.error() != null) {
            md.append("nothing: the step failed and every tier was rolled back.\n\n");
        } else {
            md.append(known ? "no table, column, index or trigger added, dropped or altered." : "not recorded by this journal.").append("\n\n");
        }
        List<TableView> changed = s.tables().stream().filter(TableView::changed).toList();
        if (!changed.isEmpty()) {
            md.append("| table | before | after | change | checksum |\n| --- | ---: | ---: | ---: | --- |\n");
            for (TableView t : changed) {
                md.append("| ").append(cellCode(t.name())).append(" | ").append(t.before() == null ? "new" : Format.count(t.before())).append(" | ")
                        .append(t.after() == null ? "dropped" : Format.count(t.after())).append(" | ").append(delta(t)).append(" | ")
                        .append(checksum(t)).append(" |\n");
            }
            md.append('\n');
        }
        List<TableView> same = s.tables().stream().filter(t -> !t.changed()).toList();
        if (!same.isEmpty()) {
            md.append(known ? "Unchanged: " : "No rows written in: ").append(inline(String.join(", ", same.stream().map(t -> t.name() + " (" + (t.after() == null ? "–"
                    : Format.count(t.after())) + ")").toList()))).append(".\n\n");
        }
        if (!s.actions().isEmpty()) {
            md.append("**Non-transactional actions:**\n\n");
            s.actions().forEach(a -> md.append("- ").append(inline(a)).append('\n'));
            md.append('\n');
        }
        md.append("**Expectations:**").append(s.expectations().isEmpty() ? " none declared.\n\n" : "\n\n");
        for (Expect e : s.expectations()) {
            md.append("- ").append(e.passed() ? "✓ " : "✗ ").append(inline(e.name())).append(e.passed() ? " — held" : " — **failed**")
                    .append(e.detail() == null ? "" : ": " + inline(e.detail())).append(e.millis() == null ? "" : " (" + e.millis() + " ms)").append('\n');
            e.compared().forEach(v -> md.append("  - ").append(code(v)).append('\n'));
        }
        if (!s.expectations().isEmpty()) {
            md.append('\n');
        }
    }

    private static String checksum(TableView t) {
        if (t.checksumBefore() != null && t.checksumAfter() != null) {
            return t.checksumBefore().equals(t.checksumAfter()) ? "unchanged " + code(HtmlReport.shortHash(t.checksumAfter()))
                    : code(HtmlReport.shortHash(t.checksumBefore())) + " → " + code(HtmlReport.shortHash(t.checksumAfter()));
        }
        if (t.note() != null) {
            return cell(t.note());
        }
        if (t.checksumChanged() == null) {
            return "not compared: no row written";
        }
        if (t.before() == null || t.after() == null) {
            return "—";
        }
        return t.checksumChanged() ? "changed" : "unchanged";
    }

    private static void row(StringBuilder md, String label, String value) {
        md.append("| **").append(label).append("** | ").append(value.replace("\n", " ")).append(" |\n");
    }

    /** Text inside a table cell: {@link #inline} already keeps it to one line with its pipes escaped. */
    private static String cell(String s) {
        return inline(s);
    }

    /**
     * Text in running Markdown: one line, with the characters that would start markup escaped ({@code _} is left alone:
     * inside a name such as task_status it starts no emphasis, and escaping it would show in the raw file).
     */
    private static String inline(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("<", "&lt;").replace("|", "\\|")
                .replace("\r", "").replace("\n", " ");
    }

    /** A code span inside a table cell: pipes escaped (GFM reads {@code \|} in a cell's code span as a pipe). */
    private static String cellCode(String s) {
        return code(s == null ? null : s.replace("|", "\\|"));
    }

    /** A code span that holds any text (a longer fence when the text has backticks). */
    private static String code(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replace("\r", "").replace("\n", " ");
        String fence = t.contains("`") ? "``" : "`";
        return fence + (t.startsWith("`") || t.endsWith("`") ? " " + t + " " : t) + fence;
    }
}
