package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end through `sluice run` on real three-tier SQLite workspaces. */
class PlaybookRunTest {
    static final String THREE_STEPS = """
            playbook 'Three tiers', {
                tiers 'tier1', 'tier2', 'tier3'
                step 'one', {
                    tier1.exec("INSERT INTO items (name) VALUES ('one')")
                    expect('four items on tier1') { tier1.count('items') == 4 }
                }
                step 'two', {
                    tier2.exec("INSERT INTO items (name) VALUES ('two')")
                }
                step 'three', {
                    tier3.exec("UPDATE items SET name = upper(name)")
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void failingStepRollsBackEveryTier() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("fail.groovy", """
                playbook 'Fails half way', {
                    tiers 'tier1', 'tier2', 'tier3'
                    step 'writes everywhere then fails', {
                        tier1.exec("INSERT INTO items (name) VALUES ('x')")
                        tier2.exec("DELETE FROM items")
                        tier3.exec("UPDATE items SET name = 'y'")
                        tier3.exec("INSERT INTO no_such_table VALUES (1)")
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.SQL.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("fail.groovy:7:"), r.out());
        assertTrue(r.out().contains("no such table: no_such_table"), r.out());
        assertEquals(3, f.count("tier1", "items"));
        assertEquals(3, f.count("tier2", "items"));
        assertEquals(0L, ((Number) f.value("tier3", "SELECT count(*) FROM items WHERE name = 'y'")).longValue());
        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            assertEquals(0, f.historyRows(t), "no history row on " + t);
            assertEquals(0L, ((Number) f.value(t, "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_lock'")).longValue(), "no lock row in " + t);
            assertFalse(java.nio.file.Files.exists(f.dir.resolve("data/" + t + ".db.sluice-lock")), "lock released on " + t);
        }
    }

    /** Issue 15, bug 2: consolidate(Tier, TableRef), the console's DSL, was "no method 'consolidate' for (Tier, TableRef)" here. */
    @Test
    void consolidateRunsInAPlaybookAsInTheConsole() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("consolidate.groovy", """
                playbook 'Consolidate', {
                    tiers 'tier1', 'tier3'
                    step 'make a table on tier1', {
                        tier1.exec("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT)")
                        tier1.exec("INSERT INTO conversations (title) VALUES ('a'), ('b')")
                    }
                    step 'consolidate it into tier3', {
                        consolidate(tier3, tier1.table('conversations'))
                        expect('both rows on tier3') { tier3.count('conversations') == 2 }
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(2, f.count("tier3", "conversations"));
        assertEquals(1, f.historyRows("tier3"), "the consolidating step's history row");
    }

    /** Issue 15, bug 1, in a step body: tier1.commit() would commit half a step with no history row. */
    @Test
    void tierCommitInAStepBodyIsRefusedAndChangesNothing() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("commit.groovy", """
                playbook 'Commits by hand', {
                    tiers 'tier1'
                    step 'insert and commit', {
                        tier1.exec("INSERT INTO items (name) VALUES ('x')")
                        tier1.commit()
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("tier1.commit() is refused: step 'insert and commit' owns this tier's transaction"), r.out() + r.err());
        assertEquals(3, f.count("tier1", "items"));
        assertEquals(0, f.historyRows("tier1"));
    }

    @Test
    void expectationFailureUnderYesExitsElevenShowsTheValuesComparedAndChangesNothing() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("expect.groovy", """
                playbook 'Wrong expectation', {
                    tiers 'tier1'
                    step 'insert', {
                        tier1.exec("INSERT INTO items (name) VALUES ('d')")
                        expect('still three items') { tier1.count('items') == 3 }
                    }
                    step 'never reached', {
                        tier1.exec("DELETE FROM items")
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.EXPECTATION.exitStatus(), r.status(), r.out() + r.err());
        assertEquals(11, r.status(), "issue 16: cron and CI tell a failed expectation from other failures");
        // Groovy's power assert: the condition, then the value of each part under it (4 rows counted, compared with 3).
        assertTrue(r.out().contains("✗ expect 'still three items':\n    tier1.count('items') == 3\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+\\|\\s+4\\s+false")), r.out());
        assertFalse(r.out().contains("was false"), r.out());
        assertTrue(r.out().contains("rolled back: 1 expectation(s) failed"), r.out());
        assertFalse(r.out().contains("never reached' ("), r.out());
        assertEquals(3, f.count("tier1", "items"));
        assertEquals(0, f.historyRows("tier1"));
    }

    @Test
    void stepBodiesSeeDryRunSoExpectationsOnDescribedActionsCanSaySo() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("wal.groovy", """
                playbook 'WAL', {
                    tiers 'tier1'
                    step 'switch to WAL', {
                        journalMode tier1, 'WAL'
                        boolean described = dryRun
                        expect('journal mode is wal') { described || tier1.query('PRAGMA journal_mode').value() == 'wal' }
                        note("dry run: $dryRun")
                    }
                }
                """);
        CliRunner dry = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, dry.status(), dry.out() + dry.err());
        assertTrue(dry.out().contains("dry run: true"), dry.out());
        assertEquals("delete", f.value("tier1", "PRAGMA journal_mode"));
        CliRunner yes = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, yes.status(), yes.out() + yes.err());
        assertTrue(yes.out().contains("dry run: false"), yes.out());
        assertEquals("wal", f.value("tier1", "PRAGMA journal_mode"));
    }

    @Test
    void alwaysStepRunsOnEveryRunWhileOtherStepsRunOnce() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("recurring.groovy", """
                playbook 'Recurring', {
                    tiers 'tier1'
                    step 'once', {
                        tier1.exec("INSERT INTO items (name) VALUES ('once')")
                    }
                    step 'every run', always: true, {
                        tier1.exec("INSERT INTO items (name) VALUES ('again')")
                    }
                }
                """);
        assertEquals(0, CliRunner.run(f.args(pb, "--yes")).status());
        CliRunner second = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, second.status(), second.out() + second.err());
        assertTrue(second.out().contains("Step 1 'once': already applied"), second.out());
        assertTrue(second.out().contains("Running step 2/2 'every run'"), second.out());
        assertEquals(1L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'once'")).longValue());
        assertEquals(2L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'again'")).longValue());
        assertEquals(3, f.historyRows("tier1"), "one row for 'once', one per run for 'every run'");
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertTrue(list.lists(2, "always", "every run"), list.out());
        assertTrue(list.out().contains("  2 always: runs on every run; last at "), list.out());
    }

    @Test
    void unknownStepOptionIsRefusedWithItsPosition() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("option.groovy", """
                playbook 'Bad option', {
                    tiers 'tier1'
                    step 'x', sometimes: true, {
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("option.groovy:3:"), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("unknown step option sometimes"), r.out() + r.err());
    }

    @Test
    void dryRunOnlyDescribesPrune() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        assertEquals(0, CliRunner.run("snapshot", "-w", tmp.toString(), "old").status());
        Path pb = f.playbook("prune.groovy", """
                playbook 'Prune', {
                    tiers 'tier1'
                    step 'retention', {
                        prune 0
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would prune snapshots, keeping the newest 0"), r.out());
        assertTrue(Files.isDirectory(tmp.resolve("snapshots").resolve("old")));
    }

    @Test
    void dryRunLeavesFilesByteIdentical() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("dry.groovy", """
                playbook 'Dry', {
                    tiers 'tier1', 'tier2', 'tier3'
                    step 'snapshot first', {
                        snapshot 'before-dry'
                    }
                    step 'add a column', {
                        addColumn tier1, 'items', "status TEXT DEFAULT 'open'"
                        tier2.exec("DELETE FROM items WHERE id = 1")
                    }
                    step 'use the column', {
                        tier1.exec("UPDATE items SET status = 'done'")
                        expect('column from the step before is there') { tier1.count('items', "status = 'done'") == 3 }
                    }
                }
                """);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would snapshot 'before-dry'"), r.out());
        assertTrue(r.out().contains("Dry run: every step was rolled back"), r.out());
        assertEquals(before, f.hashes());
        assertFalse(Files.exists(tmp.resolve("snapshots").resolve("before-dry")));
    }

    @Test
    void rerunSkipsAppliedSteps() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", THREE_STEPS);
        assertEquals(0, CliRunner.run(f.args(pb, "--yes")).status());
        assertEquals(4, f.count("tier1", "items"));
        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
        assertEquals(4, f.count("tier1", "items"));
        assertEquals(4, f.count("tier2", "items"));
        assertEquals(1, f.historyRows("tier1"));
        assertEquals(1, f.historyRows("tier2"));
        assertEquals(1, f.historyRows("tier3"));
        Object counts = f.value("tier1", "SELECT counts_before || ' ' || counts_after FROM sluice_history");
        assertEquals("{\"items\":3} {\"items\":4}", counts);
    }

    @Test
    void editedAppliedStepIsRefusedAndRepairAcceptsIt() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", THREE_STEPS);
        assertEquals(0, CliRunner.run(f.args(pb, "--yes")).status());
        f.playbook("three.groovy", THREE_STEPS.replace("VALUES ('one')", "VALUES ('uno')"));
        CliRunner refused = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.STEP_CHANGED.exitStatus(), refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().matches("(?s)error: Step 'one' changed since it was applied to tier1 on .* \\(applied sha256 [0-9a-f]{12}…, "
                + "now [0-9a-f]{12}…\\)\\. Revert the edit, or run 'sluice repair .*three.groovy --step \"one\"' to accept it\\.\\s*"), refused.err());
        CliRunner repair = CliRunner.run("repair", pb.toString(), "--step", "one", "-w", tmp.toString());
        assertEquals(0, repair.status(), repair.out() + repair.err());
        assertTrue(repair.out().contains("accepted sha256"), repair.out());
        CliRunner after = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, after.status(), after.out() + after.err());
        assertEquals(4, f.count("tier1", "items"), "the repaired step is not run again");
    }

    @Test
    void editingOneStepDoesNotMarkOthersChanged() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("three.groovy", THREE_STEPS);
        Playbook first = dev.sluice.playbook.groovy.PlaybookLoader.load(pb);
        assertEquals(0, CliRunner.run(f.args(pb, "--yes")).status());
        f.playbook("three.groovy", THREE_STEPS.replace("VALUES ('two')", "VALUES ('deux')").replace("\n", "\r\n"));
        Playbook edited = dev.sluice.playbook.groovy.PlaybookLoader.load(pb);
        assertEquals(first.steps().get(0).checksum(), edited.steps().get(0).checksum(), "CRLF does not change a checksum");
        assertFalse(first.steps().get(1).checksum().equals(edited.steps().get(1).checksum()));
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertEquals(0, list.status(), list.err());
        assertTrue(list.lists(1, "applied", "one"), list.out());
        assertTrue(list.lists(2, "changed", "two"), list.out());
        assertTrue(list.lists(3, "applied", "three"), list.out());
        assertTrue(list.out().contains("  2 changed: applied as sha256 "), list.out());
    }

    @Test
    void inspectSeesUncommittedRows() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("inspect.groovy", """
                playbook 'Inspect', {
                    tiers 'tier1', 'tier2'
                    step 'insert many', {
                        tier2.exec("INSERT INTO items (name) SELECT 'new-' || id FROM items")
                    }
                }
                """);
        CliRunner r = CliRunner.runWithInput("i\ntier2.query(\"SELECT count(*) AS uncommitted FROM items WHERE name LIKE 'new-%'\")\n"
                + "tier1.count(\"items\")\n/exit\nr\n", f.args(pb));
        assertTrue(r.out().contains("Inspecting step 'insert many' in the console"), r.out());
        assertTrue(r.out().matches("(?s).*uncommitted.*\\|\\s+3 \\|.*"), r.out());
        assertTrue(r.out().contains("rolled back"), r.out());
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals(3, f.count("tier2", "items"));
        assertEquals(0, f.historyRows("tier2"));
    }

    @Test
    void stepModeCommitsOnAnswerAndAsksBeforeNonTransactionalActions() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("ask.groovy", """
                playbook 'Ask', {
                    tiers 'tier1', 'tier2', 'tier3'
                    step 'snapshot', {
                        snapshot 'pre'
                    }
                    step 'write', {
                        tier1.exec("DELETE FROM items WHERE id = 3")
                    }
                }
                """);
        CliRunner r = CliRunner.runWithInput("y\nc\nc\n", f.args(pb));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("wants to snapshot 'pre' of tier1, tier2, tier3"), r.out());
        assertTrue(Files.exists(tmp.resolve("snapshots").resolve("pre").resolve("manifest.json")));
        assertEquals(2, f.count("tier1", "items"));
        assertEquals(2, f.historyRows("tier1"), "the snapshot step (no writes) is recorded on the home tier");
    }

    @Test
    void misplacedKeywordGivesFileLineColumn() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("x.groovy", """
                playbook 'Misplaced', {
                    tiers 'tier1'
                    step 'fine', { tier1.count('items') }
                    expect('outside a step') { true }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status());
        assertEquals("error: " + pb + ":4:5: 'expect' must be inside a step.", r.err().strip());
        Path nested = f.playbook("y.groovy", """
                playbook 'Nested', {
                    step 'outer', {
                        step 'inner', { }
                    }
                }
                """);
        CliRunner n = CliRunner.run(f.args(nested, "--yes"));
        assertEquals("error: " + nested + ":3:9: 'step' must be directly inside the playbook block.", n.err().strip());
        Path syntax = f.playbook("z.groovy", "playbook 'Broken', {\n    step 'a', {\n        tier1.exec('x'\n    }\n}\n");
        CliRunner s = CliRunner.run(f.args(syntax, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), s.status());
        assertTrue(s.err().strip().matches("error: .*z\\.groovy:\\d+:\\d+: .*"), s.err());
        assertEquals(1, s.err().strip().lines().count(), s.err());
    }

    @Test
    void missingRequiredTierRefusedAsAPreconditionBeforeAnythingRuns() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("needs.groovy", """
                playbook 'Needs tier9', {
                    tiers 'tier1', 'tier9', optional: ['tier8']
                    step 'write', { tier1.exec("DELETE FROM items") }
                }
                """);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PRECONDITION.exitStatus(), r.status());
        assertEquals(2, r.err().strip().lines().count(), "the report's first line and one line for the tier:\n" + r.err());
        assertTrue(r.err().contains("  playbook: tier 'tier9': found no tier 'tier9' in the workspace (it has tier1, tier2, tier3); "
                + "wanted the tier. Add it to sluice.json, or run the playbook on the right workspace (-w DIR)."), r.err());
        assertEquals(before, f.hashes());
    }

    @Test
    void paramsComeFromTheCommandLine() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("params.groovy", """
                playbook 'Params', {
                    tiers 'tier1'
                    param 'label', 'default'
                    param 'copies', 1
                    step 'insert', {
                        copies.times { tier1.exec('INSERT INTO items (name) VALUES (?)', label) }
                    }
                }
                """);
        CliRunner bad = CliRunner.run(f.args(pb, "--yes", "-p", "nope=1"));
        assertEquals(ErrorCode.USAGE.exitStatus(), bad.status());
        assertTrue(bad.err().contains("Unknown parameter 'nope'"), bad.err());
        CliRunner r = CliRunner.run(f.args(pb, "--yes", "-p", "label=given", "-p", "copies=2"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(2L, ((Number) f.value("tier1", "SELECT count(*) FROM items WHERE name = 'given'")).longValue());
    }

    @Test
    void tourRunsGreenOnTheDemo() {
        Path demo = tmp.resolve("demo");
        DemoWorkspace.create(demo);
        Path tour = Path.of("..", "playbooks", "tour.groovy");
        CliRunner r = CliRunner.run("run", tour.toString(), "-w", demo.toString(), "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("checksum changed"), r.out());
        CliRunner again = CliRunner.run("run", tour.toString(), "-w", demo.toString(), "--yes");
        assertTrue(again.out().contains("Every selected step is already applied"), again.out());
    }

    @Test
    void stepBodiesSeeTheHttpProbeAndTheDryRunFlag() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("probe.groovy", """
                playbook 'Probe', {
                    tiers 'tier1'
                    step 'look', {
                        note "probe: ${http}, dry run: ${dryRun}"
                        expect('http is the DSL probe') { http.is(dev.sluice.dsl.Sluice.http) }
                    }
                }
                """);
        CliRunner dry = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, dry.status(), dry.out() + dry.err());
        assertTrue(dry.out().contains("dry run: true"), dry.out());
        CliRunner yes = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, yes.status(), yes.out() + yes.err());
        assertTrue(yes.out().contains("dry run: false"), yes.out());
    }

    @Test
    void aPostgresqlTierRecordsTheRowsItsStepChanged() throws Exception {
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            Path ws = tmp.resolve("mixed");
            Files.createDirectories(ws.resolve("data"));
            Files.writeString(ws.resolve("sluice.json"), """
                    { "tiers": { "warehouse": { "url": "%s", "user": "%s" } } }
                    """.formatted(pg.url(), dev.sluice.testing.Postgres.USER));
            Path pb = tmp.resolve("pg.groovy");
            Files.writeString(pb, """
                    playbook 'Rows on PostgreSQL', {
                        tiers 'warehouse'
                        step 'load', {
                            warehouse.exec("CREATE TABLE x (id bigint PRIMARY KEY, v text)")
                            warehouse.exec("INSERT INTO x VALUES (1, 'a'), (2, 'b'), (3, 'c')")
                            warehouse.exec("UPDATE x SET v = 'z' WHERE id > 1")
                        }
                    }
                    """);
            CliRunner r = CliRunner.run("run", "-w", ws.toString(), pb.toString(), "--yes");
            assertEquals(0, r.status(), r.out() + r.err());
            try (java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT rows_changed FROM sluice_history WHERE step = 'load'")) {
                assertTrue(rs.next(), "a history row on the PostgreSQL tier");
                assertEquals(5, rs.getLong(1), "3 inserted + 2 updated");
            }
        }
    }
}
