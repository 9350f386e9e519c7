package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 2: {@code replay --force} runs nothing at or after the first line the hash chain cannot vouch for,
 * a replay that stopped early or replayed nothing exits non-zero saying how far it got, and a journal whose line
 * endings an editor or git turned into CRLF is read as written. On {@link ReplayFixture}'s workspace, never the demo.
 */
class ForcedReplayTest {
    private static final String SESSION = String.join("\n",
            "queue.exec(\"UPDATE jobs SET tries = tries + 1 WHERE state = 'stuck'\")",
            "queue.count(\"jobs\")",
            "ledger.exec(\"UPDATE entries SET note = 'seen' WHERE id = 7\")",
            "ledger.count(\"entries\")",
            "");

    @TempDir
    Path dir;
    private Path pristine;
    private Path journal;

    @BeforeEach
    void record() {
        pristine = ReplayFixture.create(dir.resolve("pristine"));
        journal = ReplayFixture.record(TestWorkspaces.copyTree(pristine, dir.resolve("staging")), dir, SESSION);
    }

    private Path copy(String name) {
        return TestWorkspaces.copyTree(pristine, dir.resolve(name));
    }

    private static long stuckTries(Path ws) {
        return ((Number) ReplayFixture.value(ws, "queue", "SELECT sum(tries) FROM jobs WHERE state = 'stuck'")).longValue();
    }

    private static Object note7(Path ws) {
        return ReplayFixture.value(ws, "ledger", "SELECT note FROM entries WHERE id = 7");
    }

    /** Regression (issue 17): an edited input ran under --force and committed a table the recording never made. */
    @Test
    void forceNeverRunsTheEditedLineNorAnythingAfterIt() {
        List<String> lines = ReplayFixture.lines(journal);
        int edited = ReplayFixture.lineOf(lines, "queue.count(\\\"jobs\\\")");
        lines.set(edited - 1, lines.get(edited - 1).replace("queue.count(\\\"jobs\\\")", "copy(queue, \\\"jobs\\\", archive)"));
        Path bad = ReplayFixture.write(dir.resolve("edited.jsonl"), lines, "\n");
        Path prod = copy("prod");
        long before = stuckTries(prod);

        CliRunner refused = CliRunner.run("replay", "-w", prod.toString(), bad.toString());
        assertEquals(ErrorCode.JOURNAL.exitStatus(), refused.status(), refused.out() + refused.err());

        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--force", bad.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("copy(queue"), "the doubted line ran: " + r.out());
        assertEquals(0L, ReplayFixture.value(prod, "archive", "SELECT count(*) FROM sqlite_schema WHERE name = 'jobs'"),
                "the edited copy() made a table the recording never made");
        assertEquals(before + 21, stuckTries(prod), "the input before the doubted line replays");
        assertEquals("n7", note7(prod), "an input after the doubted line ran");
        assertTrue(r.out().contains("Replay stopped early after 1 input(s)") && r.out().contains("line " + edited), r.out());
    }

    /** Regression (issue 17): a truncated journal replayed under --force exited 0 as if it had matched. */
    @Test
    void aTruncatedJournalStopsBeforeTheLastUnconfirmedLineAndExitsNonZero() {
        List<String> lines = ReplayFixture.lines(journal);
        int thirdInput = ReplayFixture.lineOf(lines, "note = 'seen'");
        // Cut right after the third input: nothing vouches for that line, and its results are gone.
        Path cut = ReplayFixture.write(dir.resolve("cut.jsonl"), lines.subList(0, thirdInput), "\n");
        Path prod = copy("prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--force", cut.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals("n7", note7(prod), "the last, unconfirmed input ran");
        assertTrue(r.out().contains("Replay stopped early after 2 input(s)"), r.out());
        assertTrue(r.out().contains("line " + thirdInput), r.out());

        // Cut inside the second input's results: that input's outcome cannot be compared, so it does not run either.
        int secondInput = ReplayFixture.lineOf(lines, "queue.count(\\\"jobs\\\")");
        Path cut2 = ReplayFixture.write(dir.resolve("cut2.jsonl"), lines.subList(0, secondInput + 1), "\n");
        Path prod2 = copy("prod2");
        CliRunner r2 = CliRunner.run("replay", "-w", prod2.toString(), "--force", cut2.toString());
        assertEquals(1, r2.status(), r2.out() + r2.err());
        assertTrue(r2.out().contains("Replay stopped early after 1 input(s)"), r2.out());
    }

    /** Regression (issue 17): "Replay matched: 0 input(s)" exited 0. */
    @Test
    void aReplayThatRanNothingExitsNonZero() {
        List<String> lines = ReplayFixture.lines(journal);
        int first = firstInput(lines);
        lines.set(first, lines.get(first).replace("tries + 1", "tries + 100"));
        Path bad = ReplayFixture.write(dir.resolve("first-edited.jsonl"), lines, "\n");
        Path prod = copy("prod");
        long before = stuckTries(prod);
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--force", bad.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals(before, stuckTries(prod), "the edited first input ran");
        assertTrue(r.out().contains("Replay stopped early after 0 input(s)"), r.out());
    }

    /** Regression (issue 17): a journal whose line endings were converted to CRLF replayed nothing, and exited 0. */
    @Test
    void aCrlfJournalIsReadAsWrittenOrRefusedInOneLine() throws Exception {
        List<String> lines = ReplayFixture.lines(journal);
        Path crlf = ReplayFixture.write(dir.resolve("crlf.jsonl"), lines, "\r\n");
        assertTrue(Files.readString(crlf).contains("}\r\n{"));
        Path prod = copy("prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), crlf.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched: 4 input(s)"), r.out());
        assertEquals("seen", note7(prod));

        int first = firstInput(lines);
        lines.set(first, lines.get(first).replace("tries + 1", "tries + 100"));
        Path edited = ReplayFixture.write(dir.resolve("crlf-edited.jsonl"), lines, "\r\n");
        CliRunner e = CliRunner.run("replay", "-w", copy("prod2").toString(), edited.toString());
        assertEquals(ErrorCode.JOURNAL.exitStatus(), e.status(), e.out() + e.err());
        assertEquals(1, e.err().strip().lines().count(), e.err());
        assertTrue(e.err().contains("line " + (first + 1) + " was edited, or line " + (first + 2) + " was"), e.err());
    }

    /** A run's step whose decision line is in doubt is not started under --force; the steps before it replay. */
    @Test
    void forcedRunReplayDoesNotStartTheStepWhoseDecisionIsInDoubt() throws Exception {
        Path playbook = dir.resolve("retry.groovy");
        Files.writeString(playbook, """
                playbook 'Retry stuck jobs', {
                    tiers 'queue', 'ledger'
                    step 'retry the stuck jobs', {
                        queue.exec("UPDATE jobs SET state = 'retry' WHERE state = 'stuck'")
                        expect('none left stuck') { queue.count('jobs', "state = 'stuck'") == 0 }
                    }
                    step 'mark entry seven', {
                        ledger.exec("UPDATE entries SET note = 'seen' WHERE id = 7")
                    }
                }
                """);
        Path staging = copy("run-staging");
        CliRunner run = CliRunner.run("run", playbook.toString(), "-w", staging.toString(), "--yes");
        assertEquals(0, run.status(), run.out() + run.err());
        Path recorded = TestWorkspaces.onlyJournal(staging);
        List<String> lines = ReplayFixture.lines(recorded);
        int decision = ReplayFixture.lineOf(lines, "\"step\":\"mark entry seven\"", "\"type\":\"decision\"");
        lines.set(decision - 1, lines.get(decision - 1).replace("\"decision\":\"commit\"", "\"decision\":\"skip\""));
        Path bad = ReplayFixture.write(dir.resolve("run-edited.jsonl"), lines, "\n");

        Path prod = copy("run-prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--force", bad.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("'retry the stuck jobs'"), r.out());
        assertFalse(r.out().contains("Running step 2/2 'mark entry seven'"), "the step whose decision is in doubt started: " + r.out());
        assertEquals(0L, ReplayFixture.value(prod, "queue", "SELECT count(*) FROM jobs WHERE state = 'stuck'"), "step 1 was replayed");
        assertEquals("n7", note7(prod));
        assertTrue(r.out().contains("Replay stopped early after 1 input(s)"), r.out());
    }

    /** The first input's line: the header's counts event (written by a background thread) may come before it or after. */
    private static int firstInput(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("tries + 1") && lines.get(i).contains("\"input\"")) {
                return i;
            }
        }
        throw new AssertionError("no first input in " + lines);
    }
}
