package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, point 3: a step committed on only some tiers is settled by Sluice, never by a hand edit: finished on the
 * tiers it missed (against the state the others had before it), or the tiers it reached restored from the pre-step
 * snapshot. The crash is reproduced as the commit leaves it: the pre-step snapshot, tier1's part and its history row
 * committed, the intent naming both tiers (MultiTierCommitTest kills a real run there).
 */
class PartialStepRecoveryTest {
    /** 'move' reads tier1 (its count) and writes both: finishing it must read tier1 as it was before the step. */
    static final String MOVE = """
            playbook 'Move', {
                tiers 'tier1', 'tier2'
                param 'tag', 'none'
                step 'seed', {
                    tier1.exec("INSERT INTO items (name) VALUES ('seed')")
                }
                step 'move', atomic: false, {
                    long n = tier1.query("SELECT count(*) FROM items").value() as long
                    tier2.exec("INSERT INTO items (name) VALUES ('moved ' || ? || ' ' || ?)", n, tag)
                    tier1.exec("DELETE FROM items WHERE name = 'seed'")
                    expect('tier2 has one moved row') { tier2.query("SELECT count(*) FROM items WHERE name LIKE 'moved%'").value() == 1 }
                }
            }
            """;

    @TempDir
    Path tmp;

    /**
     * Runs 'seed', then leaves 'move' as a crash between its two commits leaves it (run R, -p tag=crashed): tier1 committed
     * with its history row, tier2 not. Then another process writes two rows to tier1, as it may once the locks died.
     */
    private Path crashedBetweenCommits(PlaybookFixture f) throws Exception {
        Path pb = f.playbook("move.groovy", MOVE);
        CliRunner seed = CliRunner.run(f.args(pb, "--yes", "--only", "seed"));
        assertEquals(0, seed.status(), seed.out() + seed.err());
        committedOnTier1Only(f, pb, "move", "R", "DELETE FROM items WHERE name = 'seed'", List.of("tier1", "tier2"), Map.of("tag", "crashed"));
        try (Tier t = Tier.open(f.ws.tier("tier1"))) {
            t.exec("INSERT INTO items (name) VALUES ('foreign 1'), ('foreign 2')");
        }
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertTrue(list.lists(2, "partial", "move") && list.listed(2).contains("tier1 \u2713 tier2 \u2717"), list.out());
        return pb;
    }

    /**
     * What the commit leaves when the process dies right after tier1's COMMIT: tier1's pre-step snapshot in the intent
     * folder, tier1's part ({@code sql}) committed with its history row for run {@code runId}, and the intent naming
     * {@code tiers} in commit order with that snapshot and the run's {@code -p} values.
     */
    private static void committedOnTier1Only(PlaybookFixture f, Path pb, String stepName, String runId, String sql, List<String> tiers,
                                             Map<String, String> params) {
        Playbook playbook = PlaybookLoader.load(pb);
        Step step = playbook.step(stepName);
        Intents intents = new Intents(f.dir.resolve(".sluice"));
        Path snap = intents.snapshotDir(runId, stepName).resolve("tier1.db");
        try (Tier t = Tier.open(f.ws.tier("tier1"))) {
            MultiTierCommit.snapshot(t, snap);
            t.begin();
            t.exec(sql);
            History.record(t, new HistoryEntry(0, playbook.id(), stepName, step.checksum(), HistoryEntry.APPLIED, "u", "h",
                    Instant.now().toString(), 1, 1, "{}", "{}", runId));
            t.commit();
        }
        intents.write(new Intents.Intent(runId, playbook.id(), stepName, step.checksum(), tiers, Instant.now().toString(),
                Map.of("tier1", snap.getParent().getFileName() + "/tier1.db"), params));
    }

    private List<String> intentFiles() throws Exception {
        Path dir = tmp.resolve(".sluice").resolve("intents");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theNextRunUnderYesFinishesAPartialStepOnTheTierItMissedAndKeepsWhatOthersWroteSince() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = crashedBetweenCommits(f);
        CliRunner r = CliRunner.run(f.args(pb, "--yes", "-p", "tag=rerun"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Finished: step 'move' of move was partial (tier1 \u2713 tier2 \u2717, run R stopped between commits); "
                + "ran it on tier2 against the state tier1 had before it"), r.out());
        // Against tier1 as it was before the step (3 + seed = 4 rows; live it has 5), with the interrupted run's -p values.
        assertEquals("moved 4 crashed", f.value("tier2", "SELECT name FROM items WHERE name LIKE 'moved%'"));
        assertEquals(1L, ((Number) f.value("tier2", "SELECT count(*) FROM sluice_history WHERE step = 'move' AND status = 'applied'")).longValue());
        assertEquals(2L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name LIKE 'foreign%'")).longValue(),
                "what another process wrote to tier1 after the crash is kept (a restore would have lost it)");
        assertEquals(0L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'seed'")).longValue());
        assertEquals(1L, ((Number) f.value("tier1", "SELECT count(*) FROM sluice_history WHERE step = 'move'")).longValue(), "tier1 is not touched");
        assertEquals(List.of(), intentFiles(), "no crash record, snapshot or scratch copy is left");
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertTrue(list.lists(2, "applied", "move") && list.listed(2).contains("tier1, tier2"), list.out());
        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("already applied"), again.out());
    }

    @Test
    void repairFinishAndRepairRestoreSettleThePartialStepEachTheirWay() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = crashedBetweenCommits(f);
        CliRunner finish = CliRunner.run("repair", pb.toString(), "--step", "move", "--finish", "-w", tmp.toString());
        assertEquals(0, finish.status(), finish.out() + finish.err());
        assertTrue(finish.out().contains("Finished: step 'move'"), finish.out());
        assertFalse(finish.out().contains("nothing to repair"), finish.out());
        assertEquals("moved 4 crashed", f.value("tier2", "SELECT name FROM items WHERE name LIKE 'moved%'"));
        assertEquals(List.of(), intentFiles());

        Path other = Files.createDirectories(tmp.resolve("other"));
        PlaybookFixture g = new PlaybookFixture(other);
        Path pb2 = crashedBetweenCommitsIn(g);
        CliRunner restore = CliRunner.run("repair", pb2.toString(), "--step", "move", "--restore", "-w", other.toString());
        assertEquals(0, restore.status(), restore.out() + restore.err());
        assertTrue(restore.out().contains("Step 'move' on tier1: restored from the pre-step snapshot"), restore.out());
        assertEquals(1L, ((Number) g.value("tier1", "SELECT count(*) FROM items WHERE name = 'seed'")).longValue(), "tier1 is as before the step");
        assertEquals(0L, ((Number) g.value("tier1", "SELECT count(*) FROM sluice_history WHERE step = 'move'")).longValue());
        assertEquals(0L, g.count("tier2", "items WHERE name LIKE 'moved%'"));
        CliRunner rerun = CliRunner.run(g.args(pb2, "--yes", "-p", "tag=rerun"));
        assertEquals(0, rerun.status(), rerun.out() + rerun.err());
        assertEquals("moved 4 rerun", g.value("tier2", "SELECT name FROM items WHERE name LIKE 'moved%'"));
    }

    private Path crashedBetweenCommitsIn(PlaybookFixture g) throws Exception {
        Path saved = tmp;
        tmp = g.dir;
        try {
            return crashedBetweenCommits(g);
        } finally {
            tmp = saved;
        }
    }

    @Test
    void stepModeAsksToFinishThenOffersTheRestoreAndStopsWhenBothAreDeclined() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = crashedBetweenCommits(f);
        Map<String, String> before = f.hashes();
        CliRunner declined = CliRunner.runWithInput("n\nn\n", f.args(pb));
        assertEquals(ErrorCode.INTEGRITY.exitStatus(), declined.status(), declined.out() + declined.err());
        assertTrue(declined.out().contains("Finish it on tier2 (run it there against the state tier1 had before it)?"), declined.out());
        assertTrue(declined.out().contains("Restore tier1 from the snapshot taken before step 'move'"), declined.out());
        assertTrue(declined.err().contains("sluice repair") && declined.err().contains("--restore"), declined.err());
        assertEquals(before, f.hashes(), "declined: every tier as it was");
        assertFalse(intentFiles().isEmpty(), "the crash record stays for the next run");

        CliRunner restored = CliRunner.runWithInput("n\ny\nq\n", f.args(pb));
        assertTrue(restored.out().contains("Recovered: step 'move' of move is partial"), restored.out() + restored.err());
        assertEquals(1L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'seed'")).longValue(), "tier1 restored");
        assertEquals(0L, f.count("tier2", "items WHERE name LIKE 'moved%'"), "quit at the step: nothing of it on tier2");
    }

    @Test
    void aStepThatMissedTwoTiersIsFinishedOnBothUnderTheInterruptedRunsId() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", """
                playbook 'Three', {
                    tiers 'tier1', 'tier2', 'tier3'
                    step 'spread', atomic: false, {
                        long n = tier1.query("SELECT count(*) FROM items").value() as long
                        tier1.exec("INSERT INTO items (name) VALUES ('spread')")
                        tier2.exec("INSERT INTO items (name) VALUES ('from ' || ?)", n)
                        tier3.exec("INSERT INTO items (name) VALUES ('from ' || ?)", n)
                    }
                }
                """);
        committedOnTier1Only(f, pb, "spread", "R3", "INSERT INTO items (name) VALUES ('spread')", List.of("tier1", "tier2", "tier3"), Map.of());
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("ran it on tier2, tier3 against the state tier1 had before it"), r.out());
        for (String t : new String[]{"tier2", "tier3"}) {
            assertEquals("from 3", f.value(t, "SELECT name FROM items WHERE name LIKE 'from%'"), t);
            assertEquals(1L, ((Number) f.value(t, "SELECT count(*) FROM sluice_history WHERE step = 'spread' AND run_id = 'R3'")).longValue(),
                    t + ": recorded under the interrupted run's id, so a crash while finishing counts it as reached");
        }
        assertEquals(1L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'spread'")).longValue(), "tier1 not written twice");
        assertEquals(List.of(), intentFiles());
    }

    @Test
    void repairTakesOneWayAtATimeInOneLineAndChangesNothing() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = crashedBetweenCommits(f);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run("repair", pb.toString(), "--step", "move", "--finish", "--restore", "-w", tmp.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        assertEquals("error: --finish, --restore are mutually exclusive (specify only one). See 'sluice repair --help'.", r.err().strip());
        assertEquals(before, f.hashes());
        assertFalse(intentFiles().isEmpty());
    }

    @Test
    void aStepEditedSinceTheCrashIsNotFinishedWithOtherTextAndNothingChanges() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = crashedBetweenCommits(f);
        Files.writeString(pb, MOVE.replace("'moved ' ||", "'MOVED ' ||"));
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.INTEGRITY.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.err().contains("Step 'move' of move is partial (tier1 \u2713 tier2 \u2717, run R stopped between commits) and could not be finished: "
                + "its text changed since the interrupted run"), r.err());
        assertTrue(r.err().contains("--restore"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertEquals(before, f.hashes(), "nothing changed");
        assertFalse(intentFiles().isEmpty());
    }
}
