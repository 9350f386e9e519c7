package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Step selection, non-transactional actions and their rollback blocks, and crash records of multi-tier commits. */
class StepModeTest {
    @TempDir
    Path tmp;

    @Test
    void onlyStartAtAndStopAfterChooseSteps() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", PlaybookRunTest.THREE_STEPS);
        CliRunner only = CliRunner.run(f.args(pb, "--yes", "--only", "two"));
        assertEquals(0, only.status(), only.out() + only.err());
        assertEquals(3, f.count("tier1", "items"));
        assertEquals(4, f.count("tier2", "items"));
        CliRunner window = CliRunner.run(f.args(pb, "--yes", "--start-at", "one", "--stop-after", "two"));
        assertEquals(0, window.status(), window.out() + window.err());
        assertEquals(4, f.count("tier1", "items"));
        assertEquals(0, f.historyRows("tier3"));
        CliRunner unknown = CliRunner.run(f.args(pb, "--yes", "--only", "four"));
        assertEquals(ErrorCode.USAGE.exitStatus(), unknown.status());
        assertTrue(unknown.err().contains("No step 'four'"), unknown.err());
    }

    @Test
    void rejectedStepRunsItsRollbackBlockAfterNonTransactionalActions() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("archive.groovy", """
                playbook 'Archive', {
                    tiers 'tier1'
                    step 'snapshot then delete', {
                        snapshot 'pre-archive', tier1
                        rollback { restore 'pre-archive', tier1 }
                        tier1.exec("DELETE FROM items")
                        expect('gone') { tier1.count('items') == 0 }
                    }
                }
                """);
        CliRunner r = CliRunner.runWithInput("y\nr\n", f.args(pb));
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("running its rollback block"), r.out());
        assertEquals(3, f.count("tier1", "items"));
        assertTrue(Files.isDirectory(tmp.resolve("snapshots").resolve("pre-archive")));
    }

    @Test
    void declinedActionStopsTheStepAndWritingBeforeOneIsRefused() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("vacuum.groovy", """
                playbook 'Vacuum', {
                    tiers 'tier1'
                    step 'vacuum', {
                        vacuum tier1
                    }
                    step 'write then vacuum', {
                        tier1.exec("DELETE FROM items WHERE id = 1")
                        vacuum tier1
                    }
                }
                """);
        CliRunner declined = CliRunner.runWithInput("n\n", f.args(pb));
        assertEquals(ErrorCode.CANCELLED.exitStatus(), declined.status(), declined.out() + declined.err());
        assertTrue(declined.out().contains("Declined: VACUUM on tier1"), declined.out());
        CliRunner refused = CliRunner.runWithInput("y\nc\n", f.args(pb));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), refused.status(), refused.out() + refused.err());
        assertTrue(refused.out().contains("'vacuum' needs tier 'tier1' outside a transaction, but step 'write then vacuum' has already written to it"),
                refused.out());
        assertEquals(3, f.count("tier1", "items"));
    }

    /** Issue 12: seed 000's archive ATTACHes then backfills tier3 in one step; the ATTACH used to count as an open write. */
    @Test
    void anActionAfterAnotherActionOnTheSameTierIsAllowedButNotAfterAnUncommittedWrite() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("two-actions.groovy", """
                playbook 'Two actions', {
                    tiers 'tier1'
                    step 'backfill twice, then write, then vacuum', {
                        backfill tier1, "UPDATE items SET name = name || '1' WHERE id BETWEEN :lo AND :hi", 2
                        backfill tier1, "UPDATE items SET name = name || '2' WHERE id BETWEEN :lo AND :hi", 2
                        tier1.exec("INSERT INTO items (name) VALUES ('d')")
                        vacuum tier1
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("'vacuum' needs tier 'tier1' outside a transaction, but step 'backfill twice, then write, then vacuum' "
                + "has already written to it"), r.out());
        assertEquals(3, f.count("tier1", "items"), "the uncommitted insert was rolled back");
        assertEquals("a12", f.value("tier1", "SELECT name FROM items WHERE id = 1"), "both backfills ran and committed");
    }

    @Test
    void partialMultiTierCommitWithoutSnapshotIsListedAsPartialAndRepairFinishedRecordsTheLaggingTier() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("both.groovy", """
                playbook 'Both', {
                    tiers 'tier1', 'tier2'
                    step 'write both', {
                        tier1.exec("INSERT INTO items (name) VALUES ('x')")
                        tier2.exec("INSERT INTO items (name) VALUES ('x')")
                    }
                }
                """);
        // What a crash between the two commits leaves: the intent, and tier1's part (with its history row) committed.
        Files.createDirectories(tmp.resolve(".sluice/intents"));
        Files.writeString(tmp.resolve(".sluice/intents/run1-1.json"), """
                {"runId":"run1","playbook":"both","step":"write both","checksum":"00","tiers":["tier1","tier2"],"started":"2026-01-01T00:00:00Z"}
                """);
        try (Tier t = Tier.open(f.ws.tier("tier1"))) {
            t.exec("INSERT INTO items (name) VALUES ('x')");
            dev.sluice.history.History.record(t, new dev.sluice.history.HistoryEntry(0, "both", "write both", "00", "applied", "u", "h",
                    "2026-01-01T00:00:00Z", 1, 1, "{}", "{}", "run1"));
        }
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.INTEGRITY.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.err().contains("is partial (tier1 \u2713 tier2 \u2717"), r.err());
        assertTrue(r.err().contains("sluice repair"), r.err());
        // Issue 14: --list never shows the step applied while tier2 lacks it.
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertTrue(list.lists(1, "partial", "write both") && list.listed(1).contains("tier1 \u2713 tier2 \u2717"), list.out());
        // Without a pre-step snapshot repair cannot restore tier1: it says so and changes nothing.
        CliRunner restore = CliRunner.run("repair", pb.toString(), "--step", "write both", "-w", tmp.toString());
        assertEquals(ErrorCode.INTEGRITY.exitStatus(), restore.status(), restore.out() + restore.err());
        assertTrue(restore.err().contains("no pre-step snapshot covers tier1"), restore.err());
        // Finished by hand on tier2, repair --finished records it there: history says applied on both, honestly.
        try (Tier t = Tier.open(f.ws.tier("tier2"))) {
            t.exec("INSERT INTO items (name) VALUES ('x')");
        }
        CliRunner repair = CliRunner.run("repair", pb.toString(), "--step", "write both", "--finished", "-w", tmp.toString());
        assertEquals(0, repair.status(), repair.out() + repair.err());
        assertTrue(repair.out().contains("Cleared the crash record of run run1"), repair.out());
        assertEquals(1L, ((Number) f.value("tier2", "SELECT count(*) FROM sluice_history WHERE run_id = 'run1' AND status = 'repaired'")).longValue(),
                "tier2 now has its history row for the run (repaired)");
        CliRunner listed = CliRunner.run(f.args(pb, "--list"));
        assertTrue(listed.lists(1, "applied", "write both") && listed.listed(1).contains("tier1, tier2"), listed.out());
        assertEquals(4, f.count("tier1", "items"));
        assertEquals(4, f.count("tier2", "items"));
    }

    @Test
    void multiTierStepWritesHistoryOnEachTierItTouched() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("both.groovy", """
                playbook 'Both', {
                    tiers 'tier1', 'tier2', 'tier3'
                    step 'write two of three', {
                        tier1.exec("INSERT INTO items (name) VALUES ('x')")
                        tier2.exec("INSERT INTO items (name) VALUES ('x')")
                        expect('tier3 only read') { tier3.count('items') == 3 }
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("untouched: tier3"), r.out());
        assertEquals(1, f.historyRows("tier1"));
        assertEquals(1, f.historyRows("tier2"));
        assertEquals(0, f.historyRows("tier3"));
        assertTrue(!Files.exists(tmp.resolve(".sluice/intents")) || tmp.resolve(".sluice/intents").toFile().list().length == 0);
    }

    @Test
    void migrateAndSchemaHelpersInAStepAreIdempotent() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path migrations = Files.createDirectories(tmp.resolve("playbooks").resolve("migrations"));
        Files.writeString(migrations.resolve("001_tags.sql"), "CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, tag TEXT);\n");
        Files.writeString(migrations.resolve("002_seed.sql"), "INSERT INTO tags (tag) VALUES ('a'), ('b');\n");
        Path pb = f.playbook("schema.groovy", """
                playbook 'Schema', {
                    tiers 'tier1'
                    step 'evolve', {
                        2.times {
                            migrate tier1, 'migrations'
                            addColumn tier1, 'items', "status TEXT DEFAULT 'open'"
                            createIndex tier1, 'CREATE INDEX idx_items_status ON items(status)'
                            rebuild tier1, 'items', 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL DEFAULT \\'open\\')'
                        }
                        expect('seeded once') { tier1.count('tags') == 2 }
                        expect('index kept by the rebuild') { tier1.hasIndex('idx_items_status') }
                        expect('rows kept') { tier1.count('items', "status = 'open'") == 3 }
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(2L, ((Number) f.value("tier1", "SELECT count(*) FROM sluice_migrations")).longValue());
        assertTrue(String.valueOf(f.value("tier1", "SELECT sql FROM sqlite_schema WHERE name = 'items'")).contains("NOT NULL DEFAULT 'open'"));
    }
}
