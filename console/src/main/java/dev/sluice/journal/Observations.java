package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.data.CopyResult;
import dev.sluice.data.SpotCheck;
import dev.sluice.encoding.Sha256;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.IntegrityReport;
import dev.sluice.tier.Row;
import dev.sluice.tier.Rows;
import dev.sluice.tier.TierInternals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * How an observed fact is written and compared. Values go through JSON text and back, so a recorded value and today's
 * compare as parsed numbers, not as printed ones (JDK 17 and 25 print some doubles differently; both parse the same).
 * Time-dependent parts (a fingerprint's time, file size, engine version) are left out: only what the data says counts.
 *
 * <p>What the console showed is an observation too (format 2): a query's rows as {@link #QUERY}, any other data
 * (a number, text, a list of them) as {@link #VALUE}; see {@link #shown}.
 */
public final class Observations {
    /** The call of an observation of rows a {@code tier.query(…)} returned and the console showed. */
    static final String QUERY = "query";
    /** The call of an observation of any other value the console showed (an exec's count, a {@code .value()}). */
    static final String VALUE = "value";
    /** The {@code varies} of an input that called {@code varies(…)}: none of its values is compared. */
    static final String MARKED = "marked with varies()";
    /**
     * Rows of a query kept as text, each with its own hash: the rows the console shows ({@link Rows#DISPLAY_ROWS}), so a
     * difference among them is shown row against row; a later row is found by the digest of all rows, not located.
     */
    static final int HEAD_ROWS = Rows.DISPLAY_ROWS;
    /** A kept row's text is cut here (its hash still covers all of it). */
    static final int ROW_TEXT = 160;
    /**
     * How many of an input's latest observed results a shown value is checked against before it is recorded: bounded, so
     * a run (no inputs) or a long loop does not grow the journal's memory; the journal and replay use the same bound.
     */
    static final int RECENT_RESULTS = 1_000;
    /** A list or map shown in full up to this size; a longer one is kept as its size and digest. */
    static final int ITEMS = 1_000;

    private Observations() {
    }

    /**
     * What the console showed, as an observation ({@code tier}, {@code call}, {@code args}, {@code result}, and
     * {@code varies} when it is not to be compared), or null when it is not data (a tier, a snapshot…) or the input's
     * own observations already hold it ({@code observed}: their results, so {@code tier1.count(t)} is not recorded twice).
     * Rows become their count, a digest of every row in the checksum encoding (engine-independent, computed row by row)
     * and the first rows' text and hashes; a {@code java.time} value is kept as text and marked as varying; an input
     * that called {@code varies(…)} ({@code marked}) is marked whatever it shows.
     */
    static ObjectNode shown(Object value, boolean marked, Collection<JsonNode> observed) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        JsonNode result;
        String varies = marked ? MARKED : null;
        if (value instanceof Rows rows && TierInternals.cutShort(rows)) {
            return null; // a preview of a longer result: its first rows only, and the rest were never read
        }
        if (value instanceof Rows rows) {
            TierInternals.Query q = TierInternals.source(rows);
            if (q != null) {
                o.put("tier", q.tier());
            }
            o.put("call", q == null ? VALUE : QUERY);
            ArrayNode args = o.putArray("args");
            if (q != null) {
                args.add(q.sql());
                q.args().forEach(a -> args.add(roundTrip(plain(a))));
            }
            result = rows(rows);
        } else {
            JsonNode data = data(value, 0);
            if (value instanceof java.time.temporal.TemporalAccessor || value instanceof java.time.temporal.TemporalAmount) {
                // Computed by Java at the prompt (Instant.now(), a Duration measured): it cannot repeat. A date read from a
                // database arrives as java.sql.Timestamp/Date and is data.
                data = Journal.MAPPER.getNodeFactory().textNode(value.toString());
                varies = varies == null ? "a time (" + value.getClass().getSimpleName() + ")" : varies;
            }
            if (data == null) {
                if (!marked) {
                    return null; // not data: nothing to compare
                }
                data = Journal.MAPPER.getNodeFactory().textNode(String.valueOf(value));
            }
            result = roundTrip(data);
            if (!marked && observed.stream().anyMatch(result::equals)) {
                return null; // the call that returned it is observed already
            }
            o.put("call", VALUE);
            o.putArray("args");
        }
        o.set("result", result);
        if (varies != null) {
            o.put("varies", varies);
        }
        return o;
    }

    /**
     * A shown observation with its text redacted as the journal writes it (arguments, values, rows' text), its hashes
     * left alone (a short secret made of hex digits must not rewrite a digest). Replay redacts today's the same way.
     */
    static ObjectNode redacted(ObjectNode shown, List<dev.sluice.workspace.Secret> secrets) {
        ObjectNode o = shown.deepCopy();
        o.set("args", Journal.redactTree(o.path("args"), secrets));
        JsonNode r = o.path("result");
        if (r.isObject() && r.has("sha256")) {
            ObjectNode ro = (ObjectNode) r;
            for (String field : List.of("columns", "head")) {
                if (ro.has(field)) {
                    ro.set(field, Journal.redactTree(ro.get(field), secrets));
                }
            }
        } else {
            o.set("result", Journal.redactTree(r, secrets));
        }
        return o;
    }

    /** A value as JSON when it is data (numbers, text, booleans, null, bytes, rows, lists and maps of them), else null. */
    private static JsonNode data(Object v, int depth) {
        if (v == null || v instanceof Number || v instanceof CharSequence || v instanceof Boolean || v instanceof Character
                || v instanceof byte[] || v instanceof java.util.UUID) {
            return plain(v);
        }
        if (v instanceof java.util.Date d) {
            return Journal.MAPPER.getNodeFactory().textNode(d.toString());
        }
        if (depth > 3) {
            return null;
        }
        if (v instanceof Row r) {
            ObjectNode o = Journal.MAPPER.createObjectNode();
            for (Map.Entry<String, Object> e : r.toMap().entrySet()) {
                JsonNode x = data(e.getValue(), depth + 1);
                if (x == null) {
                    return null;
                }
                o.set(e.getKey(), x);
            }
            return o;
        }
        if (v instanceof Collection<?> c) {
            if (c.size() > ITEMS) {
                return digest(c, depth);
            }
            ArrayNode a = Journal.MAPPER.createArrayNode();
            for (Object x : c) {
                JsonNode n = data(x, depth + 1);
                if (n == null) {
                    return null;
                }
                a.add(n);
            }
            return a;
        }
        if (v instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k instanceof String)) {
            if (m.size() > ITEMS) {
                return digest(m.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList(), depth);
            }
            ObjectNode o = Journal.MAPPER.createObjectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                JsonNode x = data(e.getValue(), depth + 1);
                if (x == null) {
                    return null;
                }
                o.set((String) e.getKey(), x);
            }
            return o;
        }
        return null;
    }

    private static JsonNode plain(Object v) {
        if (v instanceof java.util.UUID || v instanceof java.util.Date) {
            return Journal.MAPPER.getNodeFactory().textNode(v.toString());
        }
        try {
            return Journal.MAPPER.valueToTree(v);
        } catch (IllegalArgumentException e) {
            return Journal.MAPPER.getNodeFactory().textNode(String.valueOf(v)); // a query argument Jackson cannot write
        }
    }

    /** A long list as its size and the SHA-256 of its items' JSON, item by item. */
    private static JsonNode digest(Collection<?> c, int depth) {
        MessageDigest md = Sha256.digest();
        for (Object x : c) {
            JsonNode n = data(x, depth + 1);
            if (n == null) {
                return null;
            }
            try {
                md.update(Journal.MAPPER.writeValueAsBytes(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("items", c.size());
        o.put("sha256", HexFormat.of().formatHex(md.digest()));
        return o;
    }

    /**
     * Rows as {@code rows} (count), {@code sha256} (of every row in order, in the checksum encoding, so SQLite and
     * PostgreSQL rows with the same values give the same digest; column names are left out for the same reason),
     * {@code columns}, and for the first {@link #HEAD_ROWS} rows their text ({@code head}) and hashes ({@code headHashes}).
     */
    static ObjectNode rows(Rows rows) {
        Checksummer enc = new Checksummer(null);
        MessageDigest all = Sha256.digest();
        MessageDigest one = Sha256.digest();
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("rows", rows.size());
        ArrayNode columns = Journal.MAPPER.createArrayNode();
        rows.columns().forEach(columns::add);
        ArrayNode head = Journal.MAPPER.createArrayNode();
        ArrayNode hashes = Journal.MAPPER.createArrayNode();
        int i = 0;
        for (Row r : rows) {
            Object[] values = new Object[r.size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = r.get(c);
            }
            byte[] encoded = enc.rowBytes(values);
            all.update(encoded);
            if (i++ < HEAD_ROWS) {
                hashes.add(HexFormat.of().formatHex(one.digest(encoded), 0, 8));
                head.add(text(values));
            }
        }
        o.put("sha256", HexFormat.of().formatHex(all.digest()));
        o.set("columns", columns);
        o.set("head", head);
        o.set("headHashes", hashes);
        return o;
    }

    private static String text(Object[] values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            sb.append(sb.length() == 0 ? "" : " | ").append(TierInternals.cell(v));
        }
        return sb.length() > ROW_TEXT ? sb.substring(0, ROW_TEXT - 1) + "…" : sb.toString();
    }


    public static JsonNode normalise(Object result) {
        JsonNode n;
        if (result instanceof Checksum c) {
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("rows", c.rows());
            o.put("sha256", c.sha256());
            n = o;
        } else if (result instanceof IntegrityReport r) {
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("ok", r.ok());
            o.set("problems", Journal.MAPPER.valueToTree(r.problems()));
            n = o;
        } else if (result instanceof Fingerprint f) {
            n = fingerprint(f);
        } else if (result instanceof dev.sluice.data.BackfillResult b) {
            // What the data says, not how fast it went: timings, batch sizes after overruns and notes vary run to run.
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("name", b.name());
            o.put("table", b.table());
            o.put("rows", b.rows());
            o.put("rowsDoneTotal", b.rowsDoneTotal());
            o.put("finished", b.finished());
            n = o;
        } else if (result instanceof CopyResult c) {
            // The facts of a copy, not its timings: those differ on every run and would make every replay diverge.
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("source", c.source());
            o.put("target", c.target());
            o.put("rows", c.rows());
            o.put("verified", c.verified());
            o.set("sourceChecksum", c.sourceChecksum() == null ? null : normalise(c.sourceChecksum()));
            o.set("targetChecksum", c.targetChecksum() == null ? null : normalise(c.targetChecksum()));
            n = o;
        } else if (result instanceof dev.sluice.data.Diff d) {
            // What differs, not how long it took or how many segments the bisection hashed on the way.
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("a", d.a());
            o.put("b", d.b());
            o.put("equal", d.equal());
            o.put("countA", d.countA());
            o.put("countB", d.countB());
            o.set("added", Journal.MAPPER.valueToTree(d.added()));
            o.set("removed", Journal.MAPPER.valueToTree(d.removed()));
            o.set("changed", Journal.MAPPER.valueToTree(d.changed()));
            n = o;
        } else if (result instanceof SpotCheck sc) {
            // The keys are sampled at random: a replay compares how many were checked and whether they all matched.
            ObjectNode o = Journal.MAPPER.createObjectNode();
            o.put("table", sc.table());
            o.put("sampled", sc.keys().size());
            o.put("ok", sc.ok());
            n = o;
        } else {
            n = Journal.MAPPER.valueToTree(result);
        }
        return roundTrip(n);
    }

    static ObjectNode fingerprint(Fingerprint f) {
        ObjectNode o = Journal.MAPPER.createObjectNode();
        o.put("tier", f.tier());
        o.put("engine", f.engine());
        o.put("schemaSha256", f.schemaSha256());
        o.set("counts", Journal.MAPPER.valueToTree(f.counts()));
        if (f.journalMode() != null) {
            o.put("journalMode", f.journalMode());
        }
        return o;
    }

    static JsonNode roundTrip(JsonNode n) {
        try {
            return Journal.MAPPER.readTree(Journal.MAPPER.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recorded and current values as people read them, for a divergence message. */
    public static String show(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        if (n.isObject() && n.has("sha256") && n.has("rows")) {
            long rows = n.get("rows").asLong();
            return String.format(java.util.Locale.ROOT, "%,d row%s sha256:%s…", rows, rows == 1 ? "" : "s", n.get("sha256").asText().substring(0, 12));
        }
        if (n.isIntegralNumber()) {
            return String.format(java.util.Locale.ROOT, "%,d", n.asLong());
        }
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 199) + "…" : s;
    }

    /** Differences between two fingerprints' counts and schema, one line each. */
    public static java.util.List<String> fingerprintDifferences(JsonNode recorded, JsonNode now) {
        java.util.List<String> out = new java.util.ArrayList<>();
        String tier = recorded.path("tier").asText();
        if (!recorded.path("schemaSha256").equals(now.path("schemaSha256"))) {
            out.add(tier + ": schema differs (recorded " + recorded.path("schemaSha256").asText().substring(0, 12) + "…, now "
                    + now.path("schemaSha256").asText("").replaceAll("^(.{12}).*", "$1") + "…)");
        }
        JsonNode rc = recorded.path("counts");
        JsonNode nc = now.path("counts");
        if (!rc.isObject()) {
            return out; // counts not recorded (JournalFile#countsNotRecorded says so): the schema is all there is to compare
        }
        java.util.Set<String> tables = new java.util.TreeSet<>();
        rc.fieldNames().forEachRemaining(tables::add);
        nc.fieldNames().forEachRemaining(tables::add);
        for (String t : tables) {
            JsonNode a = rc.get(t);
            JsonNode b = nc.get(t);
            if (a == null || b == null || a.asLong() != b.asLong()) {
                out.add(tier + "." + t + ": recorded " + (a == null ? "absent" : show(a)) + " rows, now " + (b == null ? "absent" : show(b)));
            }
        }
        return out;
    }

}
