package dev.sluice.report;

import dev.sluice.report.ReportContent.Edit;
import dev.sluice.report.ReportContent.Expect;
import dev.sluice.report.ReportContent.Field;
import dev.sluice.report.ReportContent.Replay;
import dev.sluice.report.ReportContent.StepView;
import dev.sluice.report.ReportContent.TableView;
import dev.sluice.tier.Format;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML page (inline CSS, no script, nothing fetched), top to bottom: the verdict, the
 * facts a change ticket needs, what the journal lacks, the replayed journal and divergence (a replay), the steps at a
 * glance, then each step in full, then every observation and error.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    private static final String CSS = """
            :root{--ok:#1a7f37;--warn:#9a6700;--bad:#c62828;--ink:#1d2330;--muted:#5b6475;--line:#dde1ea;--soft:#f4f6fa}
            *{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:var(--ink);padding:0 16px}
            h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
            h3{font-size:15px;margin:0;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
            code,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:12.5px}
            code{background:var(--soft);padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
            .verdict{border-left:6px solid;padding:12px 16px;border-radius:4px;margin-bottom:16px}
            .verdict.ok{border-color:var(--ok);background:#eef8f0}.verdict.warn{border-color:#d4a72c;background:#fff8e1}.verdict.bad{border-color:var(--bad);background:#fdeeee}
            .verdict p{margin:4px 0 0}.kind{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
            table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
            th{font-weight:600;color:var(--muted);font-size:12.5px}
            table.facts th{width:150px}table.facts td,table.facts th{border:none;padding:2px 8px}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .gaps{background:var(--soft);border:1px dashed #b8c0cf;padding:8px 12px;border-radius:4px;color:var(--muted);margin:12px 0}
            .gaps ul{margin:4px 0;padding-left:20px}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
            .badge.committed{background:var(--ok)}.badge.rolled-back{background:#b7791f}.badge.skipped{background:#8a94a6}.badge.pending{background:#fff;color:var(--muted);border:1px solid #b8c0cf}
            .badge.failed{background:var(--bad)}.badge.undecided{background:#6f42c1}
            .strip{display:flex;gap:4px;margin:8px 0 4px}.strip a{flex:1;min-width:0;text-decoration:none;color:inherit;border-radius:4px;padding:6px 8px;font-size:12px;border:1px solid var(--line);background:#fff}
            .strip a.committed{border-top:4px solid var(--ok);background:#fff}.strip a.rolled-back{border-top:4px solid #d4a72c;background:#fff}
            .strip a.skipped{border-top:4px solid #8a94a6;background:#fff}.strip a.pending{border-top:4px dashed #b8c0cf}.strip a.failed{border-top:4px solid var(--bad);background:#fff}
            .strip a.undecided{border-top:4px solid #6f42c1;background:#fff}
            .strip b{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.strip span{color:var(--muted)}
            section.step{border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:12px 0}
            section.step.pending,section.step.skipped{padding:8px 14px;background:var(--soft)}section.step.failed{border-color:#e8a5a5}
            section.step.pending .why,section.step.skipped .why{margin:2px 0 0}
            .why{color:var(--muted);margin:2px 0 8px}.sub{font-size:12px;font-weight:600;color:var(--muted);margin:10px 0 4px;text-transform:uppercase;letter-spacing:.05em}
            ul.schema{list-style:none;padding:0;margin:0}ul.schema li{padding:2px 0}
            .added{color:var(--ok)}.dropped{color:var(--bad)}.altered{color:var(--warn)}.sign{display:inline-block;width:16px;font-weight:700}
            .plus{color:var(--ok)}.minus{color:var(--bad)}.zero{color:var(--muted)}
            .bar{display:inline-flex;width:120px;height:9px;background:#fff;border:1px solid var(--line);border-radius:2px;overflow:hidden;vertical-align:middle}
            .bar i{display:block;height:100%}.bar .kept{background:#9fb3d1}.bar .grew{background:#3fb950}.bar .shrank{background:repeating-linear-gradient(45deg,#e5534b 0 3px,#f7c6c3 3px 6px)}
            ul.expect{list-style:none;padding:0;margin:0}ul.expect li{padding:3px 0}ul.expect .compared{color:var(--muted);margin-left:22px}
            .held{color:var(--ok);font-weight:700}.broke{color:var(--bad);font-weight:700}
            .error{background:#fdeeee;border-left:4px solid var(--bad);padding:6px 10px;white-space:pre-wrap}
            table.divergence td.differs{background:#fdeeee;font-weight:600}table.divergence td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
            .quiet{color:var(--muted)}details{margin:8px 0}summary{cursor:pointer;color:var(--muted)}pre{background:var(--soft);padding:8px;overflow:auto;margin:4px 0}
            """;

    static String render(ReportContent c) {
        StringBuilder b = new StringBuilder(16_384);
        String title = (c.run() != null && c.run().title() != null ? c.run().title() + " — " : "") + c.verdict().headline();
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>").append(esc(title)).append("</title><style>").append(CSS).append("</style></head><body>");
        verdict(b, c);
        facts(b, c);
        if (!c.gaps().isEmpty()) {
            b.append("<div class=\"gaps\" id=\"gaps\"><b>Not in this journal</b><ul>");
            c.gaps().forEach(g -> b.append("<li>").append(esc(g)).append("</li>"));
            b.append("</ul></div>");
        }
        if (c.replay() != null) {
            replay(b, c.replay());
        }
        if (!c.steps().isEmpty()) {
            b.append("<h2>Steps</h2><nav class=\"strip\" id=\"strip\">");
            for (StepView s : c.steps()) {
                b.append("<a class=\"").append(s.status().css()).append("\" href=\"#step-").append(s.index()).append("\" title=\"")
                        .append(esc(s.index() + ". " + s.name() + ": " + s.status().label)).append("\"><b>").append(s.index()).append(". ")
                        .append(esc(s.name())).append("</b><span>").append(s.status().label)
                        .append(s.millis() == null ? "" : " · " + Format.duration(java.time.Duration.ofMillis(s.millis()))).append("</span></a>");
            }
            b.append("</nav>");
            for (StepView s : c.steps()) {
                step(b, s);
            }
        }
        if (!c.errors().isEmpty()) {
            b.append("<h2>Errors</h2>");
            c.errors().forEach(e -> b.append("<div class=\"error\">").append(esc(e)).append("</div>"));
        }
        if (!c.observations().isEmpty()) {
            b.append("<details id=\"observations\"><summary>Every observation in the journal (").append(c.observations().size())
                    .append(")</summary><table><tr><th class=\"num\">seq</th><th>call</th><th>result</th></tr>");
            c.observations().forEach(o -> b.append("<tr><td class=\"num\">").append(o.seq()).append("</td><td><code>").append(esc(o.call()))
                    .append("</code></td><td>").append(esc(o.result())).append("</td></tr>"));
            b.append("</table></details>");
        }
        if (!c.inputs().isEmpty()) {
            b.append("<details id=\"inputs\"><summary>What was typed (").append(c.inputs().size()).append(" input(s))</summary>");
            c.inputs().forEach(i -> b.append("<pre>").append(esc(i)).append("</pre>"));
            b.append("</details>");
        }
        b.append("<p class=\"quiet\">Written by Sluice ").append(esc(c.sluice())).append(" from the journal <code>").append(esc(c.journal().toString()))
                .append("</code>.</p></body></html>\n");
        return b.toString();
    }

    private static void verdict(StringBuilder b, ReportContent c) {
        String kind = switch (c.kind()) {
            case "run" -> "Playbook run";
            case "replay" -> "Replay";
            case "console" -> "Console session";
            default -> c.kind();
        };
        b.append("<header class=\"verdict ").append(c.verdict().tone()).append("\" id=\"verdict\" data-tone=\"").append(c.verdict().tone())
                .append("\"><div class=\"kind\">").append(esc(kind)).append(c.run() != null && c.run().title() != null ? " · " + esc(c.run().title()) : "")
                .append("</div><h1 id=\"headline\">").append(esc(c.verdict().headline())).append("</h1><p id=\"verdict-detail\">")
                .append(esc(c.verdict().detail())).append("</p></header>");
    }

    private static void facts(StringBuilder b, ReportContent c) {
        b.append("<table class=\"facts\" id=\"facts\">");
        if (c.run() != null) {
            var r = c.run();
            fact(b, "playbook", "Playbook", "<b>" + esc(r.title() == null ? "(untitled)" : r.title()) + "</b>"
                    + (r.description() == null ? "" : "<br><span class=\"quiet\">" + esc(r.description()) + "</span>"));
            fact(b, "file", "File", "<code>" + esc(r.file()) + "</code>" + (r.path() == null || r.path().equals(r.file()) ? ""
                    : " <span class=\"quiet\">(" + esc(r.path()) + ")</span>"));
            StringBuilder p = new StringBuilder();
            for (Map.Entry<String, String> e : r.params().entrySet()) {
                p.append(p.length() == 0 ? "" : ", ").append("<code>").append(esc(e.getKey())).append(" = ").append(esc(e.getValue())).append("</code>")
                        .append(r.defaulted().contains(e.getKey()) ? " <span class=\"quiet\">(default)</span>" : "");
            }
            if (!r.defaultsKnown()) {
                p.append(p.length() == 0 ? "" : " ").append("<span class=\"quiet\">").append(p.length() == 0 ? "none given" : "given")
                        .append("; the defaults used are not recorded by this journal</span>");
            }
            fact(b, "params", "Parameters", p.length() == 0 ? "<span class=\"quiet\">none</span>" : p.toString());
            fact(b, "mode", "Mode", esc(r.mode()));
        }
        fact(b, "who", c.kind().equals("replay") ? "Replayed by" : "Run by", "<b>" + esc(c.user()) + "</b> on <b>" + esc(c.host()) + "</b>");
        fact(b, "workspace", "Workspace", "<code>" + esc(c.workspace()) + "</code>");
        fact(b, "started", "Started", esc(ReportContent.when(c.started())));
        fact(b, "ended", "Ended", c.ended() == null ? "<span class=\"quiet\">not recorded (the journal ends early)</span>"
                : esc(ReportContent.when(c.ended())) + " — took <b>" + esc(Format.duration(c.took())) + "</b>");
        fact(b, "journal", "Journal", "<code>" + esc(c.journal().toString()) + "</code>" + (c.journalProblem() == null ? ""
                : " <span class=\"dropped\">(" + esc(c.journalProblem()) + ")</span>"));
        fact(b, "sluice", "Sluice", esc(c.sluice() + (c.jdk().isEmpty() ? "" : " on JDK " + c.jdk())));
        b.append("</table>");
    }

    private static void fact(StringBuilder b, String id, String label, String html) {
        b.append("<tr data-fact=\"").append(id).append("\"><th>").append(label).append("</th><td>").append(html).append("</td></tr>");
    }

    private static void replay(StringBuilder b, Replay r) {
        b.append("<section id=\"replay\"><h2>Replayed journal</h2><table class=\"facts\">");
        fact(b, "replayed", "Journal", "<code>" + esc(r.journal() == null ? "not recorded" : r.journal()) + "</code>");
        if (r.recordedBy() != null) {
            fact(b, "recorded", "Recorded", esc((r.recordedKind() == null ? "" : r.recordedKind() + " ") + "by " + r.recordedBy() + " at "
                    + ReportContent.when(r.recordedAt())));
        }
        if (r.inputs() != null) {
            fact(b, "compared", "Compared", r.inputs() + " " + ("run".equals(r.recordedKind()) ? "step(s)" : "input(s)") + " replayed, "
                    + r.observations() + " observation(s) matched");
        }
        b.append("</table>");
        if (!r.workspaceDifferences().isEmpty()) {
            b.append("<div class=\"sub\">The workspace differed from the recording's before the replay</div><ul id=\"workspace-differences\">");
            r.workspaceDifferences().forEach(d -> b.append("<li><code>").append(esc(d)).append("</code></li>"));
            b.append("</ul>");
        }
        var d = r.divergence();
        if (d != null) {
            b.append("<h2>Divergence</h2><p id=\"divergence-what\"><b>").append(esc(d.what() == null ? "" : d.what())).append("</b>")
                    .append(d.seq() == null ? "" : " <span class=\"quiet\">(recorded event seq " + d.seq() + ")</span>").append("</p>");
            if (d.input() != null) {
                b.append("<p>While replaying <code>").append(esc(d.input())).append("</code></p>");
            }
            b.append("<table class=\"divergence\" id=\"divergence\"><tr><th></th><th>recorded</th><th>now</th></tr>");
            for (Field f : d.fields()) {
                String cls = f.differs() ? " class=\"differs\"" : "";
                b.append("<tr data-field=\"").append(esc(f.name())).append("\"><th>").append(esc(f.name())).append("</th><td").append(cls).append(">")
                        .append(esc(f.recorded())).append("</td><td").append(cls).append(">").append(esc(f.now())).append("</td></tr>");
            }
            b.append("</table>");
            if (d.hint() != null) {
                b.append("<p class=\"quiet\">").append(esc(d.hint())).append("</p>");
            }
        } else if (r.legacyText() != null) {
            b.append("<h2>Divergence</h2><pre id=\"divergence-text\">").append(esc(r.legacyText())).append("</pre>");
        }
        b.append("</section>");
    }

    private static void step(StringBuilder b, StepView s) {
        b.append("<section class=\"step ").append(s.status().css()).append("\" id=\"step-").append(s.index()).append("\" data-status=\"")
                .append(s.status().css()).append("\"><h3><span>").append(s.index()).append(". ").append(esc(s.name())).append("</span><span class=\"badge ")
                .append(s.status().css()).append("\">").append(s.status().label).append("</span>");
        if (s.millis() != null) {
            b.append("<span class=\"quiet\">").append(esc(Format.duration(java.time.Duration.ofMillis(s.millis())))).append("</span>");
        }
        b.append("</h3><div class=\"why\">").append(esc(ReportContent.sentence(s.why()))).append("</div>");
        if (!s.ran()) {
            b.append("</section>");
            return;
        }
        if (s.error() != null) {
            b.append("<div class=\"error\">").append(esc(s.error())).append("</div>");
        }
        List<TableView> changed = s.tables().stream().filter(TableView::changed).toList();
        List<TableView> same = s.tables().stream().filter(t -> !t.changed()).toList();
        boolean schemaKnown = s.tables().stream().allMatch(t -> t.edits() != null);
        b.append("<div class=\"sub\">Schema</div>");
        List<TableView> reshaped = changed.stream().filter(t -> t.edits() != null && !t.edits().isEmpty()).toList();
        if (!reshaped.isEmpty()) {
            b.append("<ul class=\"schema\">");
            for (TableView t : reshaped) {
                for (Edit e : t.edits()) {
                    b.append("<li class=\"").append(e.change()).append("\" data-kind=\"").append(e.kind()).append("\" data-change=\"").append(e.change())
                            .append("\" data-table=\"").append(esc(t.name())).append("\"><span class=\"sign\">")
                            .append(e.change().equals("added") ? "+" : e.change().equals("dropped") ? "−" : "~").append("</span>")
                            .append(esc(e.kind())).append(" <code>").append(esc(e.kind().equals("table") ? t.name() : t.name() + "." + e.name()))
                            .append("</code> ").append(e.change()).append(editDetail(e)).append("</li>");
                }
            }
            b.append("</ul>");
        } else if (s.tables().isEmpty() && s.error() != null) {
            b.append("<div class=\"quiet\">nothing: the step failed and every tier was rolled back</div>");
        } else if (schemaKnown) {
            b.append("<div class=\"quiet\" data-schema=\"unchanged\">no table, column, index or trigger added, dropped or altered</div>");
        } else {
            List<TableView> flagged = changed.stream().filter(t -> Boolean.TRUE.equals(t.schemaChanged())).toList();
            b.append("<div class=\"quiet\" data-schema=\"unknown\">not recorded by this journal")
                    .append(flagged.isEmpty() ? "" : "; it says the schema of " + esc(String.join(", ", flagged.stream().map(TableView::name).toList()))
                            + " changed").append("</div>");
        }
        if (!changed.isEmpty()) {
            b.append("<div class=\"sub\">Rows</div><table class=\"rows\"><tr><th>table</th><th class=\"num\">before</th><th class=\"num\">after</th>")
                    .append("<th class=\"num\">change</th><th></th><th>checksum</th></tr>");
            for (TableView t : changed) {
                b.append("<tr data-table=\"").append(esc(t.name())).append("\"><td><code>").append(esc(t.name())).append("</code></td><td class=\"num\">")
                        .append(t.before() == null ? "<span class=\"quiet\">new</span>" : Format.count(t.before())).append("</td><td class=\"num\">")
                        .append(t.after() == null ? "<span class=\"quiet\">dropped</span>" : Format.count(t.after())).append("</td><td class=\"num\">")
                        .append(delta(t)).append("</td><td>").append(bar(t)).append("</td><td>").append(checksum(t)).append("</td></tr>");
            }
            b.append("</table>");
        }
        if (!same.isEmpty()) {
            b.append("<div class=\"quiet\" style=\"margin-top:4px\">").append(schemaKnown ? "Unchanged: " : "No rows written in: ").append(esc(String.join(", ", same.stream()
                    .map(t -> t.name() + " (" + (t.after() == null ? "–" : Format.count(t.after())) + ")").toList()))).append("</div>");
        }
        if (!s.actions().isEmpty()) {
            b.append("<div class=\"sub\">Non-transactional actions</div><ul>");
            s.actions().forEach(a -> b.append("<li>").append(esc(a)).append("</li>"));
            b.append("</ul>");
        }
        b.append("<div class=\"sub\">Expectations</div>");
        if (s.expectations().isEmpty()) {
            b.append("<div class=\"quiet\">none declared</div>");
        } else {
            b.append("<ul class=\"expect\">");
            for (Expect e : s.expectations()) {
                b.append("<li data-passed=\"").append(e.passed()).append("\"><span class=\"").append(e.passed() ? "held\">✓" : "broke\">✗")
                        .append("</span> ").append(esc(e.name())).append(e.passed() ? " <span class=\"quiet\">held" : " <span class=\"dropped\">failed")
                        .append(e.detail() == null ? "" : ": " + esc(e.detail())).append("</span>")
                        .append(e.millis() == null ? "" : " <span class=\"quiet\">(" + e.millis() + " ms)</span>");
                for (String v : e.compared()) {
                    b.append("<div class=\"compared mono\">").append(esc(v)).append("</div>");
                }
                b.append("</li>");
            }
            b.append("</ul>");
        }
        b.append("</section>");
    }

    private static String editDetail(Edit e) {
        return switch (e.change()) {
            case "added" -> e.after() == null || e.after().isEmpty() ? "" : ": <code>" + esc(e.after()) + "</code>";
            case "dropped" -> e.kind().equals("table") && e.before() != null ? " <span class=\"quiet\">(was: " + esc(e.before()) + ")</span>" : "";
            default -> ": <code>" + esc(e.before()) + "</code> → <code>" + esc(e.after()) + "</code>";
        };
    }

    /** The change in rows as a signed count with its share of what was there: +1,715, −300 (−100.0%), ±0. */
    static String delta(TableView t) {
        if (t.before() == null) {
            return "<span class=\"plus\">new</span>" + (t.after() == null || t.after() == 0 ? "" : " +" + Format.count(t.after()));
        }
        if (t.after() == null) {
            return "<span class=\"minus\">dropped</span>" + (t.before() == 0 ? "" : " −" + Format.count(t.before()));
        }
        long before = t.before();
        long after = t.after();
        long d = after - before;
        if (d == 0) {
            return "<span class=\"zero\">±0</span>";
        }
        String pct = before > 0 ? String.format(Locale.ROOT, " <span class=\"quiet\">(%+.1f%%)</span>", 100.0 * d / before) : "";
        return "<span class=\"" + (d > 0 ? "plus\">+" : "minus\">−") + Format.count(Math.abs(d)) + "</span>" + pct;
    }

    /** One bar per table, scaled to that table alone: kept rows, rows added (green) or removed (hatched red). */
    private static String bar(TableView t) {
        long before = t.before() == null ? 0 : t.before();
        long after = t.after() == null ? 0 : t.after();
        long max = Math.max(before, after);
        if (max == 0) {
            return "";
        }
        long kept = Math.min(before, after);
        return "<span class=\"bar\" title=\"" + Format.count(before) + " → " + Format.count(after) + "\"><i class=\"kept\" style=\"width:"
                + pct(kept, max) + "\"></i><i class=\"" + (after >= before ? "grew" : "shrank") + "\" style=\"width:" + pct(Math.abs(after - before), max)
                + "\"></i></span>";
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    private static String checksum(TableView t) {
        if (t.checksumBefore() != null && t.checksumAfter() != null) {
            if (t.checksumBefore().equals(t.checksumAfter())) {
                return "<span class=\"quiet\">unchanged</span> <code title=\"" + esc(t.checksumAfter()) + "\">" + esc(shortHash(t.checksumAfter())) + "</code>";
            }
            return "<code title=\"" + esc(t.checksumBefore()) + "\">" + esc(shortHash(t.checksumBefore())) + "</code> → <code title=\""
                    + esc(t.checksumAfter()) + "\">" + esc(shortHash(t.checksumAfter())) + "</code>";
        }
        if (t.note() != null) {
            return "<span class=\"quiet\">" + esc(t.note()) + "</span>";
        }
        if (t.checksumChanged() == null) {
            return "<span class=\"quiet\">not compared: no row written</span>";
        }
        if (t.before() == null || t.after() == null) {
            return "<span class=\"quiet\">—</span>";
        }
        return t.checksumChanged() ? "changed" : "<span class=\"quiet\">unchanged</span>";
    }

    static String shortHash(String h) {
        return h.length() > 12 ? h.substring(0, 12) + "…" : h;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
