package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill -9 in the middle of a step, and the run locks that guard against two runs at once. */
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
    void childKilledMidStepLeavesTiersIntactWithoutHistoryAndRerunCompletesIt() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("slow.groovy", SLOW);
        Path marker = tmp.resolve("marker");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            cmd.add("-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"));
        }
        cmd.addAll(List.of("dev.sluice.cli.Main", "run", pb.toString(), "-w", tmp.toString(), "--yes", "-p", "marker=" + marker, "-p", "pause=60000"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(marker) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(marker), "the child reached the middle of the step: " + Files.readString(tmp.resolve("child.log")));
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
        }
        long pid = child.pid();

        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            try (Tier tier = Tier.open(f.ws.tier(t))) {
                assertTrue(tier.integrity().ok(), t + " passes integrity_check");
            }
        }
        assertEquals(3, f.count("tier1", "items"), "the killed step left nothing on tier1");
        assertEquals(0, f.historyRows("tier1"), "no history row for the killed step");
        assertEquals(1, f.historyRows("tier2"), "the step committed before the kill is recorded");

        CliRunner locked = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.LOCKED.exitStatus(), locked.status(), locked.out() + locked.err());
        assertTrue(locked.err().contains("stale: process " + pid + " is gone"), locked.err());
        assertTrue(locked.err().contains("sluice unlock tier1"), locked.err());

        CliRunner unlock = CliRunner.run("unlock", "tier1", "tier2", "-w", tmp.toString());
        assertEquals(0, unlock.status(), unlock.err());
        assertTrue(unlock.out().contains("Unlocked tier1"), unlock.out());

        CliRunner rerun = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, rerun.status(), rerun.out() + rerun.err());
        assertTrue(rerun.out().contains("'first': already applied"), rerun.out());
        assertEquals(200003, f.count("tier1", "items"));
        assertEquals(1, f.historyRows("tier1"));
        assertEquals(1, f.historyRows("tier2"));
    }

    @Test
    void secondRunIsRefusedNamingTheHolder() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("slow.groovy", SLOW);
        long otherPid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        try (Tier t = Tier.open(f.ws.tier("tier2"))) {
            t.exec("CREATE TABLE sluice_lock (tier TEXT PRIMARY KEY, owner TEXT, host TEXT, pid INTEGER, started TEXT, heartbeat TEXT, purpose TEXT)");
            t.exec("INSERT INTO sluice_lock VALUES ('tier2', 'alice', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'run other.groovy')",
                    Who.current().host(), otherPid);
        }
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.LOCKED.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.err().contains("Tier 'tier2' is locked by alice@"), r.err());
        assertTrue(r.err().contains("pid " + otherPid + ", run other.groovy"), r.err());
        assertTrue(r.err().contains("Wait for that run to finish"), r.err());
        assertEquals(0, f.historyRows("tier1"), "refused before anything ran");
        assertEquals(0L, ((Number) f.value("tier1", "SELECT count(*) FROM sluice_lock")).longValue(), "tier1's lock was given back");
    }
}
