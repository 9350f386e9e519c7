package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Tier;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillTest {
    static final int ROWS = 20_000;

    @TempDir
    Path dir;

    private static void fill(Tier t) {
        t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, applied INTEGER NOT NULL DEFAULT 0); "
                + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") "
                + "INSERT INTO t (id, v) SELECT i * 3, i FROM n;");
    }

    private static long done(Path db) {
        try (Tier t = DataTiers.sqlite(db)) {
            if (!t.hasTable(Backfill.PROGRESS_TABLE)) {
                return 0;
            }
            Object v = t.query("SELECT max(rows_done) FROM " + Backfill.PROGRESS_TABLE).value();
            return v == null ? 0 : ((Number) v).longValue();
        }
    }

    @Test
    void backfillKilledWithSigkillResumesToTheSameChecksumAndNeverAppliesABatchTwice() throws Exception {
        Path reference = dir.resolve("reference.db");
        Path killed = dir.resolve("killed.db");
        Checksum expected;
        try (Tier ref = DataTiers.sqlite(reference)) {
            fill(ref);
            BackfillResult r = Backfill.sql(ref, BackfillChild.SQL, BackfillOptions.defaults().batchRows(200).progress(false));
            assertEquals(ROWS, r.rows());
            expected = ref.checksum("t");
        }
        try (Tier k = DataTiers.sqlite(killed)) {
            fill(k);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir")),
                BackfillChild.class.getName(), killed.toString(), "15")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done(killed) < 2_000 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), "the child finished before it could be killed: make the pause longer");
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no rollback, mid-batch as likely as not
        child.waitFor(10, TimeUnit.SECONDS);
        long atKill = done(killed);
        assertTrue(atKill >= 2_000 && atKill < ROWS, "rows done at kill: " + atKill);

        try (Tier k = DataTiers.sqlite(killed)) {
            assertEquals(List.of(), k.integrity().problems());
            assertEquals(0L, k.count("t", "applied > 1"));
            BackfillResult resumed = Backfill.sql(k, BackfillChild.SQL, BackfillOptions.defaults().batchRows(200).progress(false));
            assertEquals(atKill, resumed.rowsDoneTotal() - resumed.rows(), resumed.toString());
            assertEquals(ROWS, resumed.rowsDoneTotal());
            assertTrue(resumed.finished());
            assertEquals(0L, k.count("t", "applied <> 1"), "every row applied exactly once");
            assertEquals(expected, k.checksum("t"));
            assertFalse(k.hasTable(Backfill.PROGRESS_TABLE), "kept while unfinished (the resume found it), dropped once complete");
        }
    }

    @Test
    void finishedBackfillDropsItsHelperTableAndAnIdempotentRerunChangesNothing() {
        // Issue 12, point 5: sluice_progress stays only while work is unfinished.
        String idempotent = "UPDATE t SET applied = 1 WHERE applied = 0 AND id BETWEEN :lo AND :hi";
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            BackfillResult first = Backfill.sql(t, idempotent, BackfillOptions.defaults().progress(false));
            assertEquals(ROWS, first.rows());
            assertFalse(t.hasTable(Backfill.PROGRESS_TABLE), "dropped when the backfill completed");
            Checksum after = t.checksum("t");
            BackfillResult again = Backfill.sql(t, idempotent, BackfillOptions.defaults().progress(false));
            assertTrue(again.finished());
            assertEquals(after, t.checksum("t"));
            assertFalse(t.hasTable(Backfill.PROGRESS_TABLE));
        }
    }

    @Test
    void helperTableStaysWhileAnotherBackfillOfTheTierIsUnfinished() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            assertThrows(SluiceException.class, () -> Backfill.run(t, "t", BackfillOptions.defaults().name("stopped").progress(false), b -> {
                b.exec("UPDATE t SET applied = applied + 1 WHERE id BETWEEN :lo AND :hi");
                if (b.number() == 2) {
                    Thread.currentThread().interrupt();
                }
            }));
            Thread.interrupted();
            Backfill.run(t, "SELECT id FROM t WHERE id <= 3000", BackfillOptions.defaults().name("other").progress(false),
                    b -> b.exec("UPDATE t SET v = v WHERE id BETWEEN :lo AND :hi"));
            assertEquals("stopped", t.query("SELECT group_concat(name) FROM " + Backfill.PROGRESS_TABLE).value());
            Backfill.run(t, "t", BackfillOptions.defaults().name("stopped").progress(false),
                    b -> b.exec("UPDATE t SET applied = applied + 1 WHERE id BETWEEN :lo AND :hi"));
            assertFalse(t.hasTable(Backfill.PROGRESS_TABLE), "the last unfinished one completed: table dropped");
            assertEquals((long) ROWS, t.count("t", "applied = 1"), "resumed, never applied twice");
        }
    }

    @Test
    void aBackfillWithNothingToDoCreatesNoTable() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            BackfillResult r = Backfill.sql(t, "UPDATE t SET v = 0 WHERE id BETWEEN :lo AND :hi AND id < 0", BackfillOptions.defaults()
                    .progress(false));
            assertTrue(r.finished());
            Backfill.run(t, "SELECT id FROM t WHERE id < 0", BackfillOptions.defaults().progress(false), b -> { });
            assertFalse(t.hasTable(Backfill.PROGRESS_TABLE));
        }
    }

    @Test
    void slowBatchIsRolledBackAndRetriedAtHalfSize() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            List<Long> sizes = new ArrayList<>();
            BackfillResult r = Backfill.run(t, "SELECT id FROM t WHERE id <= 1500", BackfillOptions.defaults().batchRows(400)
                    .cap(Duration.ofMillis(150)).progress(false), b -> {
                        sizes.add(b.size());
                        b.exec("UPDATE t SET applied = applied + 1 WHERE id BETWEEN :lo AND :hi");
                        if (b.size() > 100) {
                            sleep(300);
                        }
                    });
            assertEquals(500, r.rows());
            assertEquals(2, r.overruns(), r.toString());
            assertEquals(100, r.finalBatchRows());
            assertEquals(List.of(400L, 200L, 100L), sizes.subList(0, 3));
            assertEquals(0L, t.count("t", "id <= 1500 AND applied <> 1"), "rolled-back batches left no trace");
        }
    }

    @Test
    void slowSqlIsInterruptedAtTheCapAndRepeatedOverrunsStopWithTheCheckpointKept() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            // A statement that runs far longer than the cap: the watchdog interrupts it instead of waiting.
            String slow = "UPDATE t SET applied = applied + (SELECT count(*) FROM t a, t b, t c WHERE a.id < 100000) "
                    + "WHERE id BETWEEN :lo AND :hi";
            long t0 = System.nanoTime();
            SluiceException e = assertThrows(SluiceException.class, () -> Backfill.sql(t, slow,
                    BackfillOptions.defaults().cap(Duration.ofMillis(200)).maxOverruns(3).progress(false)));
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "stopped promptly");
            assertEquals(ErrorCode.FAILURE, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("took longer than the 200 ms cap"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals(0L, t.count("t", "applied <> 0"));
            assertFalse(t.inTransaction());
        }
    }

    @Test
    void interruptRollsBackTheCurrentBatchAndKeepsTheCheckpoint() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            SluiceException e = assertThrows(SluiceException.class, () -> Backfill.run(t, "t",
                    BackfillOptions.defaults().batchRows(1000).progress(false), b -> {
                        b.exec("UPDATE t SET applied = applied + 1 WHERE id BETWEEN :lo AND :hi");
                        if (b.number() == 3) {
                            Thread.currentThread().interrupt(); // what Ctrl-C does to the running snippet
                        }
                    }));
            Thread.interrupted();
            assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
            assertEquals(2000L, t.count("t", "applied = 1"));
            assertEquals(0L, t.count("t", "applied > 1"));
            BackfillResult rest = Backfill.run(t, "t", BackfillOptions.defaults().progress(false),
                    b -> b.exec("UPDATE t SET applied = applied + 1 WHERE id BETWEEN :lo AND :hi"));
            assertEquals(ROWS - 2000, rest.rows());
            assertEquals((long) ROWS, t.count("t", "applied = 1"));
        }
    }

    @Test
    void tableWithoutPrimaryKeyIsWalkedByRowidAndShowsProgressWhenAsked() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            t.script("CREATE TABLE nopk (v INTEGER); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                    + "INSERT INTO nopk SELECT i FROM n;");
            BackfillResult r = Backfill.run(t, "nopk", BackfillOptions.defaults().progress(true),
                    b -> b.exec("UPDATE nopk SET v = -v WHERE rowid BETWEEN :lo AND :hi"));
            assertEquals(3000, r.rows());
            assertEquals(3L, r.batches());
            assertNull(r.resumedAfter());
            assertEquals(0L, t.count("nopk", "v > 0"));
        }
    }

    @Test
    void throttleHoldsTheRateDown() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            long t0 = System.nanoTime();
            BackfillResult r = Backfill.run(t, "SELECT id FROM t WHERE id <= 9000", BackfillOptions.defaults().batchRows(500)
                    .maxRowsPerSecond(10_000).progress(false), b -> b.exec("UPDATE t SET applied = 1 WHERE id BETWEEN :lo AND :hi"));
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(3000, r.rows());
            assertTrue(secs >= 0.28, "3,000 rows at ≤ 10,000 rows/s took " + secs + " s");
        }
    }

    @Test
    void backfillInsideAnOpenTransactionIsRefused() {
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            fill(t);
            t.begin();
            SluiceException e = assertThrows(SluiceException.class, () -> Backfill.sql(t, BackfillChild.SQL, BackfillOptions.defaults()));
            assertEquals(ErrorCode.USAGE, e.code());
            t.rollback();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unused")
    private static final String SEP = File.pathSeparator;
}
