package dev.sluice.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.data.DataEvents;
import dev.sluice.dsl.Session;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, point 2: a snapshot and a restore report their phases (bytes copied and hashed, tables counted, the
 * integrity_check) to the session's front end, growing to the right totals, on a WAL tier and a rollback-journal tier;
 * nobody watching hears nothing.
 */
class SnapshotProgressTest {
    @TempDir
    Path dir;

    /** What a front end that watches would draw: each task's unit, total and every amount it heard, in order. */
    private static final class Recorder implements DataEvents {
        final boolean listening;
        final Map<String, String> units = new LinkedHashMap<>();
        final Map<String, Long> totals = new LinkedHashMap<>();
        final Map<String, List<Long>> steps = new LinkedHashMap<>();
        int open;

        Recorder(boolean listening) {
            this.listening = listening;
        }

        @Override
        public boolean listening() {
            return listening;
        }

        @Override
        public synchronized Progress started(String task, String unit, long total, long done, boolean forced) {
            units.put(task, unit);
            totals.put(task, total);
            List<Long> s = new ArrayList<>(List.of(done));
            steps.put(task, s);
            open++;
            return new Progress() {
                @Override
                public void stepTo(long n) {
                    synchronized (Recorder.this) {
                        s.add(n);
                    }
                }

                @Override
                public void close() {
                    synchronized (Recorder.this) {
                        open--;
                    }
                }
            };
        }

        /** {@code task} ran in {@code unit}, its amounts never went back and ended at {@code total}, in at least {@code distinct} steps. */
        void climbs(String task, String unit, long total, int distinct) {
            assertTrue(steps.containsKey(task), task + " not among " + steps.keySet());
            assertEquals(unit, units.get(task), task);
            assertEquals(total, totals.get(task), task);
            List<Long> s = steps.get(task);
            for (int i = 1; i < s.size(); i++) {
                assertTrue(s.get(i) >= s.get(i - 1), task + " went back: " + s);
            }
            assertEquals(total, s.get(s.size() - 1), task + " ends at its total: " + s);
            assertTrue(s.stream().distinct().count() >= distinct, task + " in steps, not only its end: " + s);
        }
    }

    /** Two tiers of about 9 MB each (blobs, unicode, NULLs, a table without a primary key), one WAL, one rollback-journal. */
    private void fill(Session s) {
        for (String name : List.of("wal", "rollback")) {
            Tier t = s.tier(name);
            t.exec("PRAGMA journal_mode = " + (name.equals("wal") ? "WAL" : "DELETE"));
            t.exec("CREATE TABLE \"odd \"\"name\"\"\" (id INTEGER PRIMARY KEY, s TEXT, b BLOB)");
            t.exec("CREATE TABLE nokey (x, y)");
            t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2200) "
                    + "INSERT INTO \"odd \"\"name\"\"\" SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ñ ✓ 𝄞 ' || i END, randomblob(4000) FROM n");
            t.exec("INSERT INTO nokey VALUES (NULL, x'00'), ('é', 1.5)");
        }
    }

    @Test
    void snapshotAndRestoreReportTheirPhasesInBytesAndTables() throws Exception {
        dev.sluice.workspace.Workspace ws = TestWorkspaces.sqlite(dir, "wal", "rollback");
        for (String n : List.of("wal", "rollback")) {
            Tier.open(ws.tier(n), true).close(); // creates the file
        }
        try (Session s = Session.open(dir)) {
            fill(s);
            Path walDb = dir.resolve("data/wal.db");
            assertTrue(Files.size(walDb.resolveSibling("wal.db-wal")) > 0, "the WAL tier has committed pages in its -wal");
            long walBytes = Files.size(walDb) + Files.size(walDb.resolveSibling("wal.db-wal"));
            long rollbackBytes = Files.size(dir.resolve("data/rollback.db"));

            Recorder front = new Recorder(true);
            s.useEvents(front);
            Snapshot snap = s.snapshots().take("pre", null);
            front.climbs("snapshot pre: copying wal", "bytes", walBytes, 1);
            front.climbs("snapshot pre: copying rollback", "bytes", rollbackBytes, 3); // 4 MiB at a time
            for (String tier : List.of("wal", "rollback")) {
                front.climbs("snapshot pre: counting " + tier + "'s rows", "tables", 2, 2);
                front.climbs("snapshot pre: integrity_check " + tier, "", 0, 1);
                String hashing = "snapshot pre: hashing " + tier + "'s copy";
                if (front.steps.containsKey(hashing)) { // shown only when the hash outlasts the count and the check
                    front.climbs(hashing, "bytes", snap.files().stream().filter(f -> f.tier().equals(tier)).findFirst().orElseThrow().bytes(), 1);
                }
            }
            assertEquals(0, front.open, "every phase closed");

            s.tier("rollback").exec("DELETE FROM nokey");
            Recorder restoring = new Recorder(true);
            s.useEvents(restoring);
            dev.sluice.dsl.Sluice.restoreKeepingLocks(s, "pre", null);
            long manifestBytes = snap.files().stream().mapToLong(Snapshot.SnapshotFile::bytes).sum();
            restoring.climbs("restore pre: verifying the manifest", "bytes", manifestBytes, 10); // 1 MiB at a time
            assertEquals(1, restoring.steps.keySet().stream().filter(k -> k.contains("verifying")).count(), "its files are hashed once");
            for (Snapshot.SnapshotFile f : snap.files()) {
                restoring.climbs("restore pre, safety snapshot: counting " + f.tier() + "'s rows", "tables", 2, 2);
                restoring.climbs("restore pre: copying back " + f.tier(), "bytes", f.bytes(), 10); // 100 pages at a time
                restoring.climbs("restore pre: integrity_check " + f.tier(), "", 0, 1);
            }
            assertTrue(restoring.steps.containsKey("restore pre, safety snapshot: copying wal"), restoring.steps.keySet().toString());
            assertEquals(0, restoring.open, "every phase closed");
            assertEquals(2L, ((Number) s.tier("rollback").query("SELECT count(*) FROM nokey").value()).longValue(), "restored");

            Recorder quiet = new Recorder(false);
            s.useEvents(quiet);
            s.snapshots().take("unwatched", null);
            assertEquals(Map.of(), quiet.steps, "nobody watching: no phase opened");
        }
    }
}
