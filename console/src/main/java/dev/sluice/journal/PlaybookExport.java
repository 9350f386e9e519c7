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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a recorded console session into a Groovy playbook that means what the session did. Inputs made outside an
 * explicit transaction were committed as they ran (autocommit) and each run of them forms a step; inputs from a
 * {@code begin()} to its {@code commit()} form a step of their own; a transaction rolled back, or still open when the
 * session ended (so never committed), is left out and named in the header. Every observation becomes an {@code expect}
 * that reads its value once and compares it with the recording: counts, checksums, fingerprints, integrity, and the
 * results of {@code copy}, {@code diff}, {@code spotCheck} and {@code backfill}. The playbook's preconditions check each
 * tier it uses against the recording's fingerprint, so a playbook replayed on other data stops before its first step.
 * Java snippets are written as they were typed: Groovy reads nearly all Java; a {@code $} inside a double-quoted string
 * is the one thing to check by hand.
 */
public final class PlaybookExport {
    private static final Pattern PURE_OBSERVATION = Pattern.compile(
            "\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\.\\s*(count|counts|checksum|fingerprint|integrity|quickCheck|foreignKeyCheck)\\s*\\(.*\\)\\s*;?\\s*",
            Pattern.DOTALL);
    private static final Pattern TX_CALL = Pattern.compile("^\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\.\\s*(begin|commit|rollback)\\s*\\(\\s*\\)\\s*;?\\s*$");
    private static final Pattern PLAYBOOK_COMMAND = Pattern.compile("^\\s*/(run|next|commit|rollback|skip)\\b");
    private static final Pattern TX_VERB = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*\\.\\s*(begin|commit|rollback)\\s*\\(\\s*\\)");
    /** One statement, maybe assigned: {@code var r = copy(a, "t", b);} gives r; a bare {@code copy(a, "t", b)} gives none. */
    private static final Pattern ASSIGNED = Pattern.compile("\\s*(?:(?:var|def|final\\s+[A-Za-z_][\\w.<>]*|[A-Za-z_][\\w.<>]*)\\s+([A-Za-z_]\\w*)\\s*=)?\\s*(.+?)\\s*;?\\s*",
            Pattern.DOTALL);
    /** Calls whose result object the exported step keeps, to compare it with the recording; and what the console showed. */
    private static final Set<String> RESULT_CALLS = Set.of("copy", "diff", "spotCheck", "backfill", Observations.QUERY, Observations.VALUE);

    private PlaybookExport() {
    }

    /** One input of the session with the observations it made. */
    record Input(String kind, String text, List<ObjectNode> observations, long seq) {
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
        Set<String> open = new LinkedHashSet<>(); // receivers of a begin() not yet committed or rolled back
        boolean groupRolledBack = false;
        List<String> leftOut = new ArrayList<>();
        for (ObjectNode e : j.events()) {
            String type = e.path("type").asText();
            if (type.equals("input") && e.path("kind").asText().equals("command") && PLAYBOOK_COMMAND.matcher(e.path("text").asText()).find()) {
                throw new SluiceException(ErrorCode.USAGE, "Journal " + j.path() + " steps through a playbook at the console ("
                        + e.path("text").asText().strip() + "): that playbook is the runbook. Export this session --to markdown, or replay it.");
            }
            if (type.equals("input") && !e.path("kind").asText().equals("command")) {
                last = new Input(e.path("kind").asText(), e.path("text").asText(), new ArrayList<>(), e.path("seq").asLong());
                Matcher tx = TX_VERB.matcher(last.text());
                boolean begins = false;
                List<String[]> ends = new ArrayList<>();
                while (tx.find()) {
                    if (tx.group(2).equals("begin")) {
                        begins = true;
                        if (open.isEmpty() && !current.isEmpty()) {
                            steps.add(current); // what ran before the transaction was committed as it ran
                            current = new ArrayList<>();
                        }
                        open.add(tx.group(1));
                    } else {
                        ends.add(new String[] {tx.group(1), tx.group(2)});
                    }
                }
                current.add(last);
                for (String[] end : ends) {
                    groupRolledBack |= end[1].equals("rollback");
                    open.remove(end[0]);
                }
                if (!ends.isEmpty() && open.isEmpty()) {
                    if (groupRolledBack) {
                        leftOut.add(current.size() + " input(s) from seq " + current.get(0).seq() + " to " + last.seq() + ": rolled back");
                    } else {
                        steps.add(current);
                    }
                    current = new ArrayList<>();
                    groupRolledBack = false;
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
            if (open.isEmpty() && !groupRolledBack) {
                steps.add(current);
            } else {
                leftOut.add(current.size() + " input(s) from seq " + current.get(0).seq() + " to " + current.get(current.size() - 1).seq()
                        + ": " + (groupRolledBack ? "rolled back" : "never committed (the transaction was still open when the session ended)"));
            }
        }
        StringBuilder g = new StringBuilder();
        g.append("// Exported by 'sluice export' from ").append(j.path().getFileName()).append(", recorded by ")
                .append(j.header().path("user").asText()).append(" at ").append(j.header().path("start").asText()).append(".\n");
        g.append("// Each step holds inputs the session committed; each expect checks a value observed in the recording.\n");
        if (j.problem() != null) {
            g.append("// Left out: every line of the journal from line ").append(j.doubtFrom())
                    .append(" on, which its hash chain does not vouch for (exported with --force).\n");
        }
        for (String l : leftOut) {
            g.append("// Left out, as the session did not commit it: ").append(l).append(".\n");
        }
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
        List<String> fingerprints = new ArrayList<>();
        for (JsonNode f : j.header().path("fingerprint")) {
            String tier = f.path("tier").asText();
            if (required.contains(tier) && f.hasNonNull("schemaSha256") && !f.path("counts").isObject()) {
                // The session ended before its background counts did: the schema is all the header vouches for.
                fingerprints.add("            check(" + lit(tier + " has the schema the session was recorded on (schema "
                        + f.path("schemaSha256").asText().substring(0, Math.min(12, f.path("schemaSha256").asText().length()))
                        + "…; row counts were not recorded: " + f.path(JournalFile.COUNTS_NOT_RECORDED).asText() + ")") + ", fix: "
                        + lit("Run it on a copy of the recorded data, or record the session again on this data") + ") { " + tier
                        + ".fingerprint().schemaSha256() == " + lit(f.path("schemaSha256").asText()) + " }");
            } else if (required.contains(tier) && f.hasNonNull("schemaSha256")) {
                long rows = 0;
                for (JsonNode c : f.path("counts")) {
                    rows += c.asLong();
                }
                fingerprints.add("            check(" + lit(tier + " is the data the session was recorded on (schema "
                        + f.path("schemaSha256").asText().substring(0, Math.min(12, f.path("schemaSha256").asText().length())) + "…, "
                        + f.path("counts").size() + " tables, " + rows + " rows)") + ", fix: "
                        + lit("Run it on a copy of the recorded data, or record the session again on this data") + ") { def f = " + tier
                        + ".fingerprint(); f.schemaSha256() == " + lit(f.path("schemaSha256").asText()) + " && f.counts() == " + map(f.path("counts")) + " }");
            }
        }
        int n = 1;
        for (List<Input> step : steps) {
            if (step.isEmpty()) {
                continue;
            }
            g.append("\n    step ").append(lit("recorded step " + n + ": " + title(step))).append(", {\n");
            if (n++ == 1 && !fingerprints.isEmpty()) {
                // The first step's own: checked before anything is written while it is pending, and no longer once it is
                // applied, so a run stopped at a later step can be run again.
                g.append("        requires {                                   // before anything is written, in every run mode\n");
                fingerprints.forEach(l -> g.append(l).append('\n'));
                g.append("        }\n");
            }
            int e = 1;
            for (Input in : step) {
                String text = in.text().strip();
                boolean pure = !in.observations().isEmpty() && in.kind().equals("java") && PURE_OBSERVATION.matcher(text).matches();
                // A call whose result the recording holds (copy, diff…) is kept in a variable, to be compared once.
                List<ObjectNode> results = in.observations().stream().filter(o -> RESULT_CALLS.contains(o.path("call").asText()) && !o.has("varies")).toList();
                String kept = null;
                if (!pure && !TX_CALL.matcher(text).matches()) {
                    String groovy = in.kind().equals("java") ? escapeDollars(text) : text;
                    Matcher a = ASSIGNED.matcher(groovy);
                    if (results.size() == 1 && singleStatement(groovy) && a.matches() && keepable(a.group(2), results.get(0))) {
                        kept = a.group(1) != null ? a.group(1) : "recorded" + in.seq();
                        groovy = a.group(1) != null ? groovy : "def " + kept + " = " + a.group(2);
                    }
                    groovy.lines().forEach(l -> g.append("        ").append(l).append('\n'));
                }
                for (ObjectNode o : in.observations()) {
                    String check = o.has("varies") ? null
                            : RESULT_CALLS.contains(o.path("call").asText()) ? (kept == null ? null : resultCheck(kept, o)) : check(o);
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

    /**
     * A Groovy expression that holds when the call returns what was recorded, reading it once; null when the call has
     * no value of its own to compare (copy, diff, spot check and backfill are compared through their kept result).
     */
    static String check(ObjectNode o) {
        String call = o.path("tier").asText() + "." + o.path("call").asText() + "(" + args(o.path("args")) + ")";
        JsonNode r = o.path("result");
        return switch (o.path("call").asText()) {
            case "count" -> call + " == " + r.asLong() + "L";
            case "checksum" -> call + ".with { it.sha256() == " + lit(r.path("sha256").asText()) + " && it.rows() == " + r.path("rows").asLong() + "L }";
            case "counts" -> call + " == " + map(r);
            case "integrity", "quickCheck", "foreignKeyCheck" -> call + ".ok() == " + r.path("ok").asBoolean();
            case "fingerprint" -> call + ".with { it.schemaSha256() == " + lit(r.path("schemaSha256").asText()) + " && it.counts() == "
                    + map(r.path("counts")) + " }";
            default -> null;
        };
    }

    /** The recorded facts of a copy, diff, spot check or backfill, compared on the result kept in {@code v}. */
    static String resultCheck(String v, ObjectNode o) {
        JsonNode r = o.path("result");
        return switch (o.path("call").asText()) {
            case "copy" -> v + ".rows() == " + r.path("rows").asLong() + "L && " + v + ".verified() == " + r.path("verified").asBoolean()
                    + (r.path("targetChecksum").hasNonNull("sha256") ? " && " + v + ".targetChecksum().sha256() == " + lit(r.path("targetChecksum").path("sha256").asText()) : "");
            case "diff" -> v + ".equal() == " + r.path("equal").asBoolean() + " && " + v + ".countA() == " + r.path("countA").asLong() + "L && "
                    + v + ".countB() == " + r.path("countB").asLong() + "L && " + v + ".added().size() == " + r.path("added").size() + " && "
                    + v + ".removed().size() == " + r.path("removed").size() + " && " + v + ".changed().size() == " + r.path("changed").size();
            case "spotCheck" -> v + ".ok() == " + r.path("ok").asBoolean() + " && " + v + ".keys().size() == " + r.path("sampled").asLong();
            case "backfill" -> v + ".rows() == " + r.path("rows").asLong() + "L && " + v + ".finished() == " + r.path("finished").asBoolean();
            case Observations.QUERY -> v + ".size() == " + r.path("rows").asLong() + " && " + v + ".digest() == " + lit(r.path("sha256").asText());
            case Observations.VALUE -> r.isNumber() ? v + " == " + r.asText() + (r.isIntegralNumber() ? "L" : "")
                    : r.isTextual() ? v + " == " + lit(r.asText()) : r.isBoolean() ? v + " == " + r.asBoolean() : null;
            default -> null;
        };
    }

    /**
     * Whether {@code expr}, the right side of an input, is the value the observation recorded, so a variable can keep it:
     * for a shown value, any expression that is not itself a declaration; for a call's result (copy, diff, a query…),
     * exactly that call, nothing chained after it ({@code copy(…).targetChecksum()} is another value).
     */
    static boolean keepable(String expr, ObjectNode observation) {
        String e = expr.strip();
        if (e.endsWith(";")) {
            e = e.substring(0, e.length() - 1).strip();
        }
        if (assigns(e)) {
            return false; // a declaration the pattern did not take apart (Map<String, Long> m = …): left as typed
        }
        String call = observation.path("call").asText();
        if (call.equals(Observations.VALUE)) {
            return true;
        }
        Matcher m = Pattern.compile("^(?:[A-Za-z_]\\w*\\s*\\.\\s*)?" + Pattern.quote(call) + "\\s*\\(").matcher(e);
        return m.find() && closes(e, m.end() - 1) == e.length() - 1;
    }

    /** Whether {@code code} has an {@code =} that assigns (not {@code ==}, {@code !=}, {@code <=}, {@code >=}) outside strings. */
    private static boolean assigns(String code) {
        return outsideStrings(code, 0, i -> code.charAt(i) == '=' && (i + 1 >= code.length() || code.charAt(i + 1) != '=')
                && (i == 0 || "=!<>".indexOf(code.charAt(i - 1)) < 0)) >= 0;
    }

    /** The index of the parenthesis closing the one at {@code open}, quotes followed; -1 when it never closes. */
    private static int closes(String code, int open) {
        int[] depth = {0};
        return outsideStrings(code, open, i -> code.charAt(i) == '(' ? ++depth[0] < 0 : code.charAt(i) == ')' && --depth[0] == 0);
    }

    /** Whether {@code code} is one statement: no {@code ;} before its end outside string literals, one line. */
    static boolean singleStatement(String code) {
        String t = code.strip();
        String one = t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
        return !one.contains("\n") && outsideStrings(one, 0, i -> one.charAt(i) == ';' || one.charAt(i) == '{') < 0;
    }

    /**
     * The first index from {@code from} outside string literals (single or double quoted, escapes followed) where
     * {@code stop} holds, or -1: the one scan the checks above share.
     */
    private static int outsideStrings(String code, int from, java.util.function.IntPredicate stop) {
        char quote = 0;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (stop.test(i)) {
                return i;
            }
        }
        return -1;
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
