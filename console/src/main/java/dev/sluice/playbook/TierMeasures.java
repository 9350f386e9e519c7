package dev.sluice.playbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.history.History;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a step measures on a tier before and after it runs: row counts, schema text, rows changed so far. */
final class TierMeasures {
    private TierMeasures() {
    }

    /** Row counts of the user tables (Sluice's own bookkeeping tables left out). */
    static Map<String, Long> counts(Tier t) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String table : t.tables()) {
            if (!History.isBookkeeping(table)) {
                out.put(table, ((Number) t.query("SELECT count(*) FROM " + t.qualified(table)).value()).longValue());
            }
        }
        return out;
    }

    /** Per table, the CREATE statements of the table and its indexes and triggers (SQLite): what "schema changed" compares. */
    static Map<String, String> schemas(Tier t) {
        Map<String, String> out = new LinkedHashMap<>();
        if (t.engine() != Engine.SQLITE) {
            return out;
        }
        t.each("SELECT tbl_name, coalesce(sql, '') FROM " + t.qualified("sqlite_schema") + " ORDER BY tbl_name, type, name",
                r -> out.merge((String) r.get(0), (String) r.get(1), (x, y) -> x + ";" + y));
        return out;
    }

    /** Rows changed so far on the tier's connection: SQLite's total_changes(), else the tier's own update counts. */
    static long totalChanges(Tier t) {
        if (t.engine() != Engine.SQLITE) {
            return TierInternals.rowsChanged(t);
        }
        return ((Number) t.query("SELECT total_changes()").value()).longValue();
    }

    static String toJson(ObjectMapper json, Map<String, Long> m) {
        try {
            return json.writeValueAsString(m == null ? Map.of() : m);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }
}
