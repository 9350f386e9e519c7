package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill commits its batches, so inside a step it is a non-transactional action (seed 000, phase 3): announced,
 * run between the step's transactions, only described in a dry run. Before this, every backfill in a step was refused
 * ("cannot run inside the open transaction"), since a step opens a transaction on every tier before its body runs.
 */
class BackfillInStepTest {
    static final String PLAYBOOK = """
            playbook 'Backfill in a step', {
                tiers 'tier1'
                step 'backfill names', {
                    def r = backfill tier1, "UPDATE items SET name = name || '!' WHERE id BETWEEN :lo AND :hi", 2
                    expect('every row done') { dryRun || tier1.count('items', "name LIKE '%!'") == 3 }
                    expect('in two batches') { dryRun || r.batches() == 2 }
                }
                step 'closure form with named options', {
                    backfill tier1, 'SELECT id FROM items', name: 'copy names', batchRows: 1, { b ->
                        b.exec("UPDATE items SET name = name || '?' WHERE id BETWEEN :lo AND :hi")
                    }
                    tier1.exec("INSERT INTO items (name) VALUES ('after')")
                    expect('done, then written in the step') { dryRun || tier1.count('items', "name LIKE '%?'") == 3 }
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void backfillInsideAStepRunsBetweenTheStepsTransactions() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("bf.groovy", PLAYBOOK);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("backfill on tier1 (UPDATE items SET name"), r.out());
        assertEquals(3L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name LIKE '%!?'")).longValue());
        assertEquals(4, f.count("tier1", "items"));
        assertEquals(0L, ((Number) f.value("tier1", "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_progress'")).longValue(),
                "both backfills completed: their helper table is dropped (issue 12, point 5)");
    }

    @Test
    void aStepThatFailsAfterItsBackfillFinishedDoesNotRunTheBatchesAgainOnTheRerun() throws Exception {
        // The kill test found it: a backfill that is not idempotent (visits + 1) finished, then the step did not commit
        // (a kill, a failed expectation); the rerun of the step must not add 1 again.
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path gate = tmp.resolve("gate");
        Path pb = f.playbook("bump.groovy", """
                playbook 'Bump', {
                    tiers 'tier1', 'tier2'
                    step 'bump', {
                        backfill tier2, "UPDATE items SET name = name || '+' WHERE id BETWEEN :lo AND :hi", 2
                        expect('the gate is open') { java.nio.file.Files.exists(java.nio.file.Path.of('%s')) }
                    }
                }
                """.formatted(gate.toString().replace("\\", "/")));
        CliRunner first = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.EXPECTATION.exitStatus(), first.status(), first.out() + first.err());
        assertEquals(3L, ((Number) f.value("tier2", "SELECT count(*) FROM items WHERE name LIKE '%+'")).longValue(),
                "the batches committed as they ran");
        java.nio.file.Files.createFile(gate);
        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertEquals(0L, ((Number) f.value("tier2", "SELECT count(*) FROM items WHERE name LIKE '%++'")).longValue(),
                "no batch ran twice");
        assertEquals(0L, ((Number) f.value("tier2", "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_progress'")).longValue(),
                "the run committed every step: the helper table is dropped");
        assertEquals(1L, f.historyRows("tier2"), "the step's history is on the tier its backfill wrote, though the rerun wrote nothing");
        assertEquals(0L, f.historyRows("tier1"));
    }

    @Test
    void dryRunOnlyDescribesABackfill() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("bf.groovy", PLAYBOOK);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would backfill"), r.out());
        assertEquals(before, f.hashes());
    }

    @Test
    void stepModeAsksBeforeTheBackfill() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("bf.groovy", PLAYBOOK);
        CliRunner r = CliRunner.runWithInput("n\n", f.args(pb));
        assertTrue(r.out().contains("[y/N]"), r.out());
        assertEquals(0L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name LIKE '%!'")).longValue());
    }
}
