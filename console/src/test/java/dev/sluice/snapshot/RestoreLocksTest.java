package dev.sluice.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.error.ErrorCode;
import dev.sluice.history.Who;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression (seed 003 review): a snapshot taken inside a run carries that run's lock row. */
class RestoreLocksTest {
    @TempDir
    Path dir;

    private static void sql(Path db, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    private static void lock(Path db, long pid) throws Exception {
        sql(db, "CREATE TABLE IF NOT EXISTS sluice_lock (tier TEXT PRIMARY KEY, owner TEXT, host TEXT, pid INTEGER, started TEXT, "
                + "heartbeat TEXT, purpose TEXT)");
        sql(db, "DELETE FROM sluice_lock");
        sql(db, "INSERT INTO sluice_lock VALUES ('tier1', 'ana', '" + Who.current().host() + "', " + pid
                + ", '2026-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'run x')");
    }

    @Test
    void restoringASnapshotTakenDuringARunLeavesNoStaleLock() throws Exception {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        Path t1 = ws.resolve("data/tier1.db");
        lock(t1, 999_999_999L); // the run that took the snapshot, long gone
        assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "mid-run").status());
        sql(t1, "DELETE FROM sluice_lock");

        CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "mid-run");
        assertEquals(0, restore.status(), restore.err());
        CliRunner run = CliRunner.run("run", Path.of("..", "playbooks", "tour.groovy").toString(), "-w", ws.toString(), "--yes");
        assertEquals(0, run.status(), run.out() + run.err());
    }

    @Test
    void restoreUnderAnotherLiveRunIsRefusedAndChangesNothing() throws Exception {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
        Path t1 = ws.resolve("data/tier1.db");
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L); // alive, and not us
        lock(t1, live);
        String before = TestWorkspaces.fileHash(t1);

        CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");

        assertEquals(ErrorCode.LOCKED.exitStatus(), restore.status(), restore.out() + restore.err());
        assertEquals(1, restore.err().strip().lines().count(), restore.err());
        assertTrue(restore.err().contains("is locked by"), restore.err());
        assertEquals(before, TestWorkspaces.fileHash(t1));
    }

    @Test
    void restoreUnderThisSessionsOwnRunLockWorksAndAnotherSessionIsRefused() throws Exception {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        try (dev.sluice.dsl.Session run = dev.sluice.dsl.Session.open(ws)) {
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
            run.tier("tier1").exec("DELETE FROM messages");
            dev.sluice.history.RunLocks.acquire(ws, java.util.List.of(run.tier("tier1")), Who.current(), "r1", "run x", m -> { });

            CliRunner other = CliRunner.run("restore", "-w", ws.toString(), "pre", "--tier", "tier1");
            assertEquals(ErrorCode.LOCKED.exitStatus(), other.status(), other.out() + other.err());
            assertTrue(other.err().contains("in this process"), other.err());

            dev.sluice.dsl.Sluice.restoreKeepingLocks(run, "pre", java.util.List.of("tier1"));
            assertTrue(run.tier("tier1").count("messages") > 0, "restored under its own lock");
            assertTrue(dev.sluice.history.RunLocks.holds(run.tier("tier1")), "and the lock is still held");
            assertTrue(java.nio.file.Files.exists(ws.resolve("data/tier1.db.sluice-lock")));
            dev.sluice.history.RunLocks.release(run.tier("tier1"), Who.current());
        }
        assertEquals(0, CliRunner.run("run", Path.of("..", "playbooks", "tour.groovy").toString(), "-w", ws.toString(), "--yes").status());
    }
}
