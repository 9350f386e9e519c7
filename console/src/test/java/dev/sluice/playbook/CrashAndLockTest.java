package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.history.RunLocks;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill -9 in the middle of a step, and the run locks that guard against two runs at once (issue 14: locks die with their holder). */
class CrashAndLockTest {
    static final String SLOW = """
            playbook 'Slow', {
                tiers 'tier1', 'tier2'
                param 'marker', ''
                param 'pause', 0
                step 'first', {
                    tier2.exec("INSERT INTO items (name) VALUES ('first')")
                }
                step 'big write', {
                    tier1.exec("INSERT INTO items (name) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT 'row ' || i FROM n")
                    if (marker) { new File(marker).text = 'inside the step' }
                    if (pause) { Thread.sleep(pause) }
                    expect('the rows are there') { tier1.count('items') == 200003 }
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void childKilledMidStepLeavesNoLockAndTheRerunNeedsNoUnlock() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("slow.groovy", SLOW);
        Path marker = tmp.resolve("marker");
        Process child = startChild(pb, marker);
        long pid = child.pid();
        try {
            // While it runs: both tiers are locked by files beside them, and nothing is written into the tiers.
            assertTrue(Files.exists(tmp.resolve("data/tier1.db.sluice-lock")));
            assertTrue(Files.exists(tmp.resolve("data/tier2.db.sluice-lock")));
            assertTrue(Files.readString(tmp.resolve("data/tier1.db.sluice-lock")).contains("\"pid\":" + pid));

            CliRunner second = CliRunner.run(f.args(pb, "--yes"));
            assertEquals(ErrorCode.LOCKED.exitStatus(), second.status(), second.out() + second.err());
            assertEquals(1, second.err().strip().lines().count(), second.err());
            assertTrue(second.err().contains("Tiers 'tier1', 'tier2' are locked by"), "every locked tier is named in one message: " + second.err());
            assertTrue(second.err().contains("pid " + pid + ", run ") && second.err().contains("slow.groovy"), second.err());
            assertTrue(second.err().contains("Wait for that run to finish"), second.err());

            CliRunner repair = CliRunner.run("repair", pb.toString(), "--step", "first", "-w", tmp.toString());
            assertEquals(ErrorCode.LOCKED.exitStatus(), repair.status(), "repair names the run too: " + repair.out() + repair.err());
            assertTrue(repair.err().contains("pid " + pid), repair.err());

            CliRunner unlock = CliRunner.run("unlock", "tier1", "tier2", "-w", tmp.toString());
            assertEquals(ErrorCode.LOCKED.exitStatus(), unlock.status(), unlock.out() + unlock.err());
            assertTrue(unlock.err().contains("alive on this host"), unlock.err());
            assertTrue(child.isAlive(), "unlock left the live run alone");
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
        }

        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            try (Tier tier = Tier.open(f.ws.tier(t))) {
                assertTrue(tier.integrity().ok(), t + " passes integrity_check");
                assertFalse(tier.hasTable("sluice_lock"), "no lock table in " + t);
            }
        }
        assertEquals(3, f.count("tier1", "items"), "the killed step left nothing on tier1");
        assertEquals(0, f.historyRows("tier1"), "no history row for the killed step");
        assertEquals(1, f.historyRows("tier2"), "the step committed before the kill is recorded");

        CliRunner rerun = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, rerun.status(), "no unlock needed: " + rerun.out() + rerun.err());
        assertTrue(rerun.out().contains("'first': already applied"), rerun.out());
        assertEquals(200003, f.count("tier1", "items"));
        assertEquals(1, f.historyRows("tier1"));
        assertEquals(1, f.historyRows("tier2"));
        assertFalse(Files.exists(tmp.resolve("data/tier1.db.sluice-lock")), "a clean end removes the lock files");
        assertFalse(Files.exists(tmp.resolve("data/tier2.db.sluice-lock")));
    }

    @Test
    void anotherSessionInThisJvmIsRefusedLikeAnotherProcess() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("slow.groovy", SLOW);
        try (Session holder = Session.open(tmp)) {
            RunLocks.acquire(tmp, List.of(holder.tier("tier1"), holder.tier("tier2")), Who.current(), "r1", "run console", m -> { });
            CliRunner r = CliRunner.run(f.args(pb, "--yes"));
            assertEquals(ErrorCode.LOCKED.exitStatus(), r.status(), r.out() + r.err());
            assertTrue(r.err().contains("Tiers 'tier1', 'tier2' are locked by"), r.err());
            assertTrue(r.err().contains("in this process"), r.err());
            assertEquals(0, f.historyRows("tier2"), "refused before anything ran");

            RunLocks.release(holder.tier("tier1"), Who.current());
            RunLocks.release(holder.tier("tier2"), Who.current());
            CliRunner after = CliRunner.run(f.args(pb, "--yes"));
            assertEquals(0, after.status(), after.out() + after.err());
        }
    }

    @Test
    void legacyLockRowOfALiveProcessStillRefusesTheRun() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("slow.groovy", SLOW);
        long otherPid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        legacyLock(f, "tier2", otherPid);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.LOCKED.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.err().contains("Tier 'tier2' is locked by alice@"), r.err());
        assertTrue(r.err().contains("pid " + otherPid + ", run other.groovy"), r.err());
        assertTrue(r.err().contains("Wait for that run to finish"), r.err());
        assertEquals(0, f.historyRows("tier1"), "refused before anything ran");
        assertFalse(Files.exists(tmp.resolve("data/tier1.db.sluice-lock")), "tier1's lock was given back");
        assertEquals(1L, ((Number) f.value("tier2", "SELECT count(*) FROM sluice_lock")).longValue(), "the live row is left alone");
    }

    @Test
    void legacyLockRowOfAGoneProcessIsDroppedWithANote() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("quick.groovy", """
                playbook 'Quick', {
                    tiers 'tier1', 'tier2'
                    step 'one', { tier2.exec("INSERT INTO items (name) VALUES ('x')") }
                }
                """);
        legacyLock(f, "tier2", deadPid());
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(1, r.out().lines().filter(l -> l.contains("dropped the sluice_lock table an older Sluice left")).count(), r.out());
        assertEquals(0L, ((Number) f.value("tier2", "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_lock'")).longValue());
        assertEquals(4, f.count("tier2", "items"));
    }

    @Test
    void unlockClearsALockFileLeftByAGoneRunAndALegacyRow() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path lockFile = tmp.resolve("data/tier1.db.sluice-lock");
        Files.writeString(lockFile, "{\"user\":\"ana\",\"host\":\"" + Who.current().host() + "\",\"pid\":" + deadPid() + "}");
        legacyLock(f, "tier2", deadPid());
        Path real = lockFile.toRealPath();

        CliRunner unlock = CliRunner.run("unlock", "tier1", "tier2", "tier3", "-w", tmp.toString());

        assertEquals(0, unlock.status(), unlock.out() + unlock.err());
        assertTrue(unlock.out().contains("Removed the stale lock file " + real), unlock.out());
        assertTrue(unlock.out().contains("Unlocked tier2"), unlock.out());
        assertTrue(unlock.out().contains("tier3 was not locked; nothing to do."), unlock.out());
        assertFalse(Files.exists(lockFile));
        assertEquals(0L, ((Number) f.value("tier2", "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_lock'")).longValue());
    }

    private static void legacyLock(PlaybookFixture f, String tier, long pid) {
        try (Tier t = Tier.open(f.ws.tier(tier))) {
            t.exec("CREATE TABLE sluice_lock (tier TEXT PRIMARY KEY, owner TEXT, host TEXT, pid INTEGER, started TEXT, heartbeat TEXT, purpose TEXT)");
            t.exec("INSERT INTO sluice_lock VALUES (?, 'alice', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'run other.groovy')",
                    tier, Who.current().host(), pid);
        }
    }

    /** A pid no process has now: a child that has ended. */
    static long deadPid() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
            return p.pid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A `sluice run` in a child JVM, paused inside its second step (both tiers locked) once this returns. */
    private Process startChild(Path pb, Path marker) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            cmd.add("-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"));
        }
        cmd.addAll(List.of("dev.sluice.cli.Main", "run", pb.toString(), "-w", tmp.toString(), "--yes", "-p", "marker=" + marker, "-p", "pause=60000"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(marker) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!Files.exists(marker)) {
            child.destroyForcibly();
            throw new AssertionError("the child did not reach the middle of the step: " + Files.readString(tmp.resolve("child.log")));
        }
        return child;
    }
}
