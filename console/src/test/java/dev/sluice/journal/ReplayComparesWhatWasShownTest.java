package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 1: replay compares what the console showed — a query's rows (digest, count, the rows shown), an
 * exec's count, a value a snippet printed — and stops with exit 1 at the first one that differs, while values that
 * cannot repeat are recorded as such and not compared. On {@link ReplayFixture}'s workspace, never the demo.
 */
class ReplayComparesWhatWasShownTest {
    /** One query whose rows are shown, an UPDATE whose count is shown, a .value(), a Groovy query, then a write. */
    static final String SESSION = String.join("\n",
            "ledger.query(\"SELECT id, memo, amount, payload, note FROM entries WHERE amount > ? ORDER BY id LIMIT 5\", 100)",
            "queue.exec(\"UPDATE jobs SET state = 'retry' WHERE state = 'stuck'\")",
            "ledger.query(\"SELECT count(*) FROM entries WHERE note IS NOT NULL\").value()",
            "/groovy ledger.query('SELECT memo, payload FROM entries WHERE id IN (7, 8) ORDER BY id')",
            "ledger.exec(\"UPDATE entries SET note = 'replayed' WHERE id = 1\")",
            "");

    @TempDir
    Path dir;
    private Path pristine;
    private Path journal;

    @BeforeEach
    void record() {
        pristine = ReplayFixture.create(dir.resolve("pristine"));
        Path staging = TestWorkspaces.copyTree(pristine, dir.resolve("staging"));
        journal = ReplayFixture.record(staging, dir, SESSION);
    }

    private Path copy(String name) {
        return TestWorkspaces.copyTree(pristine, dir.resolve(name));
    }

    /** Nothing after the divergence ran: the last input's write is not there, and the workspace's own counts are as before. */
    private static void assertStoppedBeforeTheLastWrite(Path ws) {
        assertEquals("n1", ReplayFixture.value(ws, "ledger", "SELECT note FROM entries WHERE id = 1"), "the input after the divergence ran");
    }

    @Test
    void aCleanCopyReplaysEveryShownValue() {
        CliRunner r = CliRunner.run("replay", "-w", copy("prod").toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched: 5 input(s), 5 observation(s) as recorded."), r.out());
    }

    @Test
    void aRowChangedOnlyInTheQueryStopsThereAndShowsTheRow() {
        Path prod = copy("prod");
        ReplayFixture.sql(prod, "ledger", "UPDATE entries SET memo = 'tampered' WHERE id = 403");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("The workspace differs"), "counts and schema are as recorded: only the rows tell: " + r.out());
        assertTrue(r.out().contains("ledger.query(\"SELECT id, memo, amount, payload, note FROM entries WHERE amount > ? ORDER BY id LIMIT 5\", 100) differs"),
                r.out());
        assertTrue(r.out().contains("recorded: 5 rows sha256:"), r.out());
        assertTrue(r.out().contains("row 3 (id | memo | amount | payload | note)"), r.out());
        assertTrue(r.out().contains("403 | Zürich ☃ 403 日本 | 100.75"), r.out());
        assertTrue(r.out().contains("403 | tampered | 100.75"), r.out());
        assertEquals(21L, ReplayFixture.value(prod, "queue", "SELECT count(*) FROM jobs WHERE state = 'stuck'"), "the exec after it ran");
        assertStoppedBeforeTheLastWrite(prod);
    }

    @Test
    void anExecThatTouchesOneRowMoreStopsThere() {
        Path prod = copy("prod");
        ReplayFixture.sql(prod, "queue", "UPDATE jobs SET state = 'stuck' WHERE job_id = 'j50'");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("the value shown differs"), r.out());
        assertTrue(r.out().contains("queue.exec(\"UPDATE jobs SET state = 'retry' WHERE state = 'stuck'\")"), r.out());
        assertTrue(r.out().contains("recorded: 21\n") && r.out().contains("now:      22\n"), r.out());
        assertStoppedBeforeTheLastWrite(prod);
    }

    @Test
    void aValueAndAGroovyQueryAreComparedToo() {
        Path value = copy("value");
        ReplayFixture.sql(value, "ledger", "UPDATE entries SET note = NULL WHERE id = 2");
        CliRunner v = CliRunner.run("replay", "-w", value.toString(), journal.toString());
        assertEquals(1, v.status(), v.out() + v.err());
        assertTrue(v.out().contains("recorded: 678\n") && v.out().contains("now:      677\n"), v.out());
        assertStoppedBeforeTheLastWrite(value);

        Path blob = copy("blob");
        ReplayFixture.sql(blob, "ledger", "UPDATE entries SET payload = x'00' WHERE id = 8");
        CliRunner g = CliRunner.run("replay", "-w", blob.toString(), journal.toString());
        assertEquals(1, g.status(), g.out() + g.err());
        assertTrue(g.out().contains("ledger.query(\"SELECT memo, payload FROM entries WHERE id IN (7, 8) ORDER BY id\") differs"), g.out());
        assertTrue(g.out().contains("row 2 (memo | payload)") && g.out().contains("x'00' (1 B)"), g.out());
        assertStoppedBeforeTheLastWrite(blob);
    }

    @Test
    void valuesThatCannotRepeatAreRecordedAsSuchAndNotCompared() throws Exception {
        Path staging = copy("varies");
        Path j = ReplayFixture.record(staging, dir, String.join("\n",
                "java.time.Instant.now()",
                "varies(Math.random())",
                "varies(ledger.query(\"SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS at, count(*) AS n FROM entries\"))",
                "ledger.count(\"entries\")",
                ""));
        String text = Files.readString(j);
        assertEquals(3, text.split("\"varies\":", -1).length - 1, text);
        CliRunner r = CliRunner.run("replay", "-w", copy("prod").toString(), j.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched: 4 input(s)"), r.out());

        // Unmarked, a random value is data like any other, and differs.
        Path other = copy("random");
        Path k = ReplayFixture.record(other, dir, "Math.random()\n");
        CliRunner d = CliRunner.run("replay", "-w", copy("prod2").toString(), k.toString());
        assertEquals(1, d.status(), d.out() + d.err());
        assertTrue(d.out().contains("the value shown differs") && d.out().contains("varies("), d.out());
    }

    @Test
    void aJournalFromBeforeValueObservationsStillReplays() {
        Path old = ReplayFixture.asFormat1(journal, dir.resolve("old.jsonl"));
        Path prod = copy("prod");
        ReplayFixture.sql(prod, "ledger", "UPDATE entries SET memo = 'tampered' WHERE id = 403");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), old.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched: 5 input(s), 0 observation(s) as recorded."), r.out());
    }
}
