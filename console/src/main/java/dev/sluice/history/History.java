package dev.sluice.history;

import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sluice_history} table of one tier. Writes go through the tier's connection, so a row written while a step's
 * transaction is open commits or rolls back with the step's own changes.
 */
public final class History {
    public static final String TABLE = "sluice_history";
    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS sluice_history (
              id INTEGER PRIMARY KEY,
              playbook TEXT NOT NULL,
              step TEXT NOT NULL,
              checksum TEXT NOT NULL,
              status TEXT NOT NULL,
              user TEXT,
              host TEXT,
              applied_at TEXT NOT NULL,
              duration_ms INTEGER,
              rows_changed INTEGER,
              counts_before TEXT,
              counts_after TEXT,
              run_id TEXT
            )""";

    private History() {
    }

    /** Sluice's own tables (history, migrations, locks): left out of the counts a step shows. */
    public static boolean isBookkeeping(String table) {
        return table.startsWith("sluice_");
    }

    /** Appends a row; creates the table first when the tier has none (inside the open transaction, if any). */
    public static void record(Tier tier, HistoryEntry e) {
        // Tier.exec binds through List.of, which takes no nulls: absent values are written as empty JSON / text.
        tier.exec(DDL);
        tier.exec("INSERT INTO sluice_history (playbook, step, checksum, status, user, host, applied_at, duration_ms, rows_changed, "
                        + "counts_before, counts_after, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                e.playbook(), e.step(), e.checksum(), e.status(), orEmpty(e.user(), "?"), orEmpty(e.host(), "?"),
                e.appliedAt() == null ? Instant.now().toString() : e.appliedAt(), e.durationMs(), e.rowsChanged(),
                orEmpty(e.countsBefore(), "{}"), orEmpty(e.countsAfter(), "{}"), orEmpty(e.runId(), ""));
    }

    /** Every row for a playbook on this tier, oldest first; empty when the tier has no history table. */
    public static List<HistoryEntry> entries(Tier tier, String playbook) {
        List<HistoryEntry> out = new ArrayList<>();
        if (!hasTable(tier)) {
            return out;
        }
        tier.each("SELECT id, playbook, step, checksum, status, user, host, applied_at, duration_ms, rows_changed, counts_before, "
                + "counts_after, run_id FROM sluice_history WHERE playbook = ? ORDER BY id", List.of(playbook), r -> out.add(entry(r)));
        return out;
    }

    /** The latest applied or repaired row for a step on this tier: its checksum is the one a re-run compares with. */
    public static Optional<HistoryEntry> latest(Tier tier, String playbook, String step) {
        HistoryEntry last = null;
        for (HistoryEntry e : entries(tier, playbook)) {
            if (e.step().equals(step)) {
                last = e;
            }
        }
        return Optional.ofNullable(last);
    }

    /** Rows written by one run for one step (the crash check looks for these). */
    public static boolean hasRun(Tier tier, String runId, String step) {
        if (!hasTable(tier)) {
            return false;
        }
        return ((Number) tier.query("SELECT count(*) FROM sluice_history WHERE run_id = ? AND step = ?", runId, step).value()).longValue() > 0;
    }

    static boolean hasTable(Tier tier) {
        return tier.hasTable(TABLE);
    }

    private static HistoryEntry entry(Row r) {
        return new HistoryEntry(num(r.get(0)), (String) r.get(1), (String) r.get(2), (String) r.get(3), (String) r.get(4),
                (String) r.get(5), (String) r.get(6), (String) r.get(7), num(r.get(8)), num(r.get(9)), (String) r.get(10),
                (String) r.get(11), (String) r.get(12));
    }

    private static String orEmpty(String s, String empty) {
        return s == null ? empty : s;
    }

    static long num(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }
}
