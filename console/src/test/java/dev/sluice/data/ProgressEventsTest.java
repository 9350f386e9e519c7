package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        final List<Long> steps = new ArrayList<>();
        long total = -1;
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
            this.total = total;
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

        /** More than one step, never going back, the last one at the total; closed once. */
        void assertClimbsTo(long expected) {
            assertEquals(expected, total, tasks.toString());
            assertTrue(steps.stream().distinct().count() > 2, "several steps, not only the end: " + steps);
            for (int i = 1; i < steps.size(); i++) {
                assertTrue(steps.get(i) >= steps.get(i - 1), "rows never go back: " + steps);
            }
            assertTrue(steps.get(0) < expected, steps.toString());
            assertEquals(expected, steps.get(steps.size() - 1), "a final event at 100%: " + steps);
            assertEquals(1, closed);
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
            // One INSERT … SELECT: the start and the end are all there is to hear.
            assertEquals(List.of("copy a.odd ñame → b [rows] 0/" + ROWS), copy.tasks);
            assertEquals(List.of((long) ROWS), copy.steps);
            assertEquals(1, copy.closed);

            b.exec("UPDATE \"odd ñame\" SET label = NULL WHERE id = 4321");
            Watcher diff = new Watcher(true);
            Diff d = TableDiff.diff(a.table("odd ñame"), b.table("odd ñame"), diff);
            assertFalse(d.equal());
            assertEquals(List.of(4321L), d.changed());
            assertEquals(1, diff.tasks.size(), diff.tasks.toString());
            assertTrue(diff.tasks.get(0).startsWith("diff a.odd ñame ↔ b.odd ñame [rows] 0/" + ROWS), diff.tasks.toString());
            diff.assertClimbsTo(ROWS);
            assertTrue(diff.steps.size() <= 32 + 1, "at most one event per top-level segment: " + diff.steps);
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
            assertEquals(List.of(), quiet.steps);
        }
    }

    @Test
    void aStreamedCopyToPostgresReportsAsItGoes() {
        try (Postgres pg = Postgres.schema(); Tier a = DataTiers.sqlite(dir.resolve("a.db")); Tier w = DataTiers.postgres(pg)) {
            fill(a);
            Watcher copy = new Watcher(true);
            CopyResult r = TableCopy.copy(a, "odd ñame", w, CopyOptions.defaults().events(copy));
            assertTrue(r.verified(), r.toString());
            assertEquals(List.of("copy a.odd ñame → warehouse [rows] 0/" + ROWS), copy.tasks);
            copy.assertClimbsTo(ROWS);
            assertTrue(copy.steps.size() <= 10 + 1 + ROWS / Ticker.CHECK_ROWS, "throttled: " + copy.steps);
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
            copy.assertClimbsTo(ROWS + 1);
        }
    }
}
