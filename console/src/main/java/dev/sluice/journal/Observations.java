package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.data.CopyResult;
import dev.sluice.data.SpotCheck;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.IntegrityReport;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How an observed fact is written and compared. Values go through JSON text and back, so a recorded value and today's
 * compare as parsed numbers, not as printed ones (JDK 17 and 25 print some doubles differently; both parse the same).
 * Time-dependent parts (a fingerprint's time, file size, engine version) are left out: only what the data says counts.
 */
public final class Observations {
    private Observations() {
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
            return String.format(java.util.Locale.ROOT, "%,d rows sha256:%s…", n.get("rows").asLong(), n.get("sha256").asText().substring(0, 12));
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
