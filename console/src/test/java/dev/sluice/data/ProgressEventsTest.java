package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Session;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, point 2: copy and diff report rows done of the total, throttled, ending at 100%; nobody listening, nothing. */
class ProgressEventsTest {
    private static final int ROWS = 5000;

    @TempDir
    Path dir;

    /** A front end that watches (as on a terminal), recording what it would draw. */
    private static final class Watcher implements DataEvents {
        final boolean listening;
        final List<String> tasks = new ArrayList<>();
        final List<List<Long>> stepsByTask = new ArrayList<>();
        final List<Long> totals = new ArrayList<>();
        int closed;

        Watcher(boolean listening) {
            this.listening = listening;
        }

        @Override
        public boolean listening() {
            return listening;
        }

        @Override
        public Progress started(String task, String unit, long total, long done, boolean forced) {
            tasks.add(task + " [" + unit + "] " + done + "/" + total + (forced ? " forced" : ""));
            totals.add(total);
            List<Long> steps = new ArrayList<>();
            stepsByTask.add(steps);
            return new Progress() {
                @Override
                public void stepTo(long n) {
                    steps.add(n);
                }

                @Override
                public void close() {
                    closed++;
                }
            };
        }

        List<Long> steps(int task) {
            return stepsByTask.get(task);
        }

        /** Task {@code task}: {@code distinct} steps or more, never going back, the last one at the total; every task closed. */
        void assertClimbsTo(int task, long expected, int distinct) {
            List<Long> steps = steps(task);
            assertEquals(expected, totals.get(task), tasks.toString());
            assertTrue(steps.stream().distinct().count() >= distinct, "several steps, not only the end: " + steps);
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i) >= steps.get(i - 1), "rows never go back: " + steps);
            }
            assertTrue(steps.get(0) < expected, steps.toString());
            assertEquals(expected, steps.get(steps.size() - 1), "a final event at 100%: " + steps);
            assertEquals(tasks.size(), closed);
        }
    }

    /** NULLs, unicode, blobs (some empty), reals: rows no demo would have. */
    private static void fill(Tier t) {
        t.script("CREATE TABLE \"odd ñame\" (id INTEGER PRIMARY KEY, label TEXT, payload BLOB, r REAL);"
                + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") "
                + "INSERT INTO \"odd ñame\" SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'naïve 日本 🎉 ' || i END, "
                + "CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN x'' ELSE zeroblob(i % 40) END, "
                + "CASE WHEN i % 3 = 0 THEN NULL ELSE i / 3.0 END FROM n;");
    }

    @Test
    void aSqliteToSqliteCopyAndADiffReportRowsOfTheTotal() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            fill(a);
            Watcher copy = new Watcher(true);
            CopyResult r = TableCopy.copy(a, "odd ñame", b, CopyOptions.defaults().events(copy));
            assertTrue(r.verified(), r.toString());
            // One INSERT … SELECT, SQLite's raw copy: its rows are estimated from the VM steps as it runs (LoadProgress),
            // then the real count. The verification compares in SQLite and hashes the source once: its rows are the
            // verification's progress.
            assertEquals(List.of("copy a.odd ñame → b [rows] 0/" + ROWS, "verify a.odd ñame → b.odd ñame [rows] 0/" + ROWS), copy.tasks);
            List<Long> load = copy.steps(0);
            assertTrue(load.stream().anyMatch(n -> n > 0 && n < ROWS), "the load climbs before its end: " + load);
            for (int i = 1; i < load.size(); i++) {
                assertTrue(load.get(i) >= load.get(i - 1), "rows never go back: " + load);
            }
            assertEquals(ROWS, load.get(load.size() - 1), "the real count at the end: " + load);
            assertEquals(ROWS, copy.steps(1).get(copy.steps(1).size() - 1), "a final event at 100%: " + copy.steps(1));
            assertEquals(2, copy.closed);

            b.exec("UPDATE \"odd ñame\" SET label = NULL WHERE id = 4321");
            Watcher diff = new Watcher(true);
            Diff d = TableDiff.diff(a.table("odd ñame"), b.table("odd ñame"), diff);
            assertFalse(d.equal());
            assertEquals(List.of(4321L), d.changed());
            assertEquals(1, diff.tasks.size(), diff.tasks.toString());
            assertTrue(diff.tasks.get(0).startsWith("diff a.odd ñame ↔ b.odd ñame [rows] 0/" + ROWS), diff.tasks.toString());
            diff.assertClimbsTo(0, ROWS, 3);
            assertTrue(diff.steps(0).size() <= 32 + 1, "at most one event per top-level segment: " + diff.steps(0));
        }
    }

    @Test
    void aChecksumOfABigTableReportsEveryRowOnceFromBothItsReaders() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db"))) {
            // Past Checksummer.PARALLEL_MIN_KEYS: two reader threads, each reporting its chunks.
            a.script("CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT, payload BLOB);"
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000) "
                    + "INSERT INTO big SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ünïcode ' || i END, "
                    + "CASE WHEN i % 5 = 0 THEN NULL ELSE zeroblob(i % 64) END FROM n;");
            AtomicLong rows = new AtomicLong();
            AtomicInteger reports = new AtomicInteger();
            Checksum c = new Checksummer(a).reportingRows(n -> {
                rows.addAndGet(n);
                reports.incrementAndGet();
            }).checksum("big", null, null);
            assertEquals(120_000, c.rows());
            assertEquals(c.rows(), rows.get(), "every row reported once");
            assertTrue(reports.get() > 2, "a chunk at a time, not only at the end: " + reports.get());
            assertEquals(a.checksum("big"), c, "reporting changes nothing in the result");
        }
    }

    @Test
    void aChecksumTypedAtTheConsoleReportsToTheSessionsFrontEnd() {
        try (Tier t = DataTiers.sqlite(dir.resolve("data/a.db"))) {
            fill(t);
        }
        TestWorkspaces.sqlite(dir, "a");
        try (Session s = Session.open(dir)) {
            Watcher quiet = new Watcher(false);
            s.useEvents(quiet);
            Checksum unwatched = s.tier("a").checksum("odd ñame");
            assertEquals(List.of(), quiet.tasks, "nobody watching: no count, no events");
            Watcher front = new Watcher(true);
            s.useEvents(front);
            assertEquals(unwatched, s.tier("a").checksum("odd ñame"));
            assertEquals(List.of("checksum a.odd ñame [rows] 0/" + ROWS), front.tasks);
            assertEquals(ROWS, front.steps(0).get(front.steps(0).size() - 1));
            assertEquals(1, front.closed);
        }
    }

    @Test
    void nobodyListeningHearsNothingAndCountsNothing() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            fill(a);
            Watcher quiet = new Watcher(false);
            assertTrue(TableCopy.copy(a, "odd ñame", b, CopyOptions.defaults().events(quiet)).verified());
            assertTrue(TableDiff.diff(a.table("odd ñame"), b.table("odd ñame"), quiet).equal());
            assertEquals(List.of(), quiet.tasks);
            assertEquals(List.of(), quiet.stepsByTask);
        }
    }

    @Test
    void aStreamedCopyToPostgresReportsAsItGoes() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            fill(a);
            Watcher copy = new Watcher(true);
            CopyResult r = TableCopy.copy(a, "odd ñame", w, CopyOptions.defaults().events(copy));
            assertTrue(r.verified(), r.toString());
            // The source was hashed as it streamed: the verification reads the target only.
            assertEquals(List.of("copy a.odd ñame → warehouse [rows] 0/" + ROWS, "verify a.odd ñame → warehouse.odd ñame [rows] 0/" + ROWS), copy.tasks);
            copy.assertClimbsTo(0, ROWS, 3);
            assertTrue(copy.steps(0).size() <= 10 + 1 + ROWS / Ticker.CHECK_ROWS, "throttled: " + copy.steps(0));
            assertEquals(ROWS, copy.steps(1).get(copy.steps(1).size() - 1));
            assertEquals(a.checksum("odd ñame"), w.checksum("odd ñame"));
        }
    }

    @Test
    void aBatchedInsertCopyWithAWhereCountsOnlyTheRowsItCopies() {
        try (Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier b = DataTiers.sqlite(dir.resolve("b.db"))) {
            fill(a);
            a.begin(); // uncommitted writes on the source: the copy streams through its own connection (batched INSERT)
            a.exec("INSERT INTO \"odd ñame\" (id, label) VALUES (" + (ROWS + 1) + ", 'pending')");
            Watcher copy = new Watcher(true);
            CopyResult r = TableCopy.copy(a, "odd ñame", b, CopyOptions.defaults().events(copy));
            a.rollback();
            assertTrue(r.method().contains("streamed INSERT"), r.method());
            copy.assertClimbsTo(0, ROWS + 1, 3);
            assertEquals("verify a.odd ñame → b.odd ñame [rows] 0/" + (ROWS + 1), copy.tasks.get(1));
        }
    }
}
