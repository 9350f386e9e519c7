package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A playbook with a backfill stepped through at the console: once its last step is committed, the finished backfill's
 * checkpoint table goes, as after `sluice run` (it used to stay in the tier until the next complete CLI run).
 */
class ConsoleBackfillTest {
    static final String PLAYBOOK = """
            playbook 'Backfill at the console', {
                tiers 'tier1'
                step 'backfill names', {
                    backfill tier1, "UPDATE items SET name = name || '!' WHERE id BETWEEN :lo AND :hi", 2
                }
                step 'one more row', {
                    tier1.exec("INSERT INTO items (name) VALUES ('after')")
                }
            }
            """;

    @TempDir
    Path dir;

    private Workspace ws;

    private Path setUp() throws Exception {
        ws = TestWorkspaces.sqlite(dir, "tier1");
        try (Tier t = Tier.open(ws.tier("tier1"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                    + "INSERT INTO items (name) VALUES ('a'), ('é'), ('ü ✓');");
        }
        Path pb = dir.resolve("bf.groovy");
        Files.writeString(pb, PLAYBOOK);
        return pb;
    }

    private long value(String sql) {
        try (Tier t = Tier.open(ws.tier("tier1"))) {
            return ((Number) t.query(sql).value()).longValue();
        }
    }

    @Test
    void committingTheLastStepDropsTheFinishedBackfillsCheckpoints() throws Exception {
        Path pb = setUp();
        Transcript t = Transcript.run(dir, """
                /run %s
                /next
                y
                /commit
                /next
                /commit
                """.formatted(pb));
        assertEquals(0, t.status(), t.out() + t.err());
        assertEquals(3L, value("SELECT count(*) FROM items WHERE name LIKE '%!'"), t.out());
        assertEquals(4L, value("SELECT count(*) FROM items"), t.out());
        assertEquals(0L, value("SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_progress'"),
                "every step committed: the helper table is dropped\n" + t.out());
        assertTrue(t.out().contains("dropped the backfill helper table sluice_progress"), t.out());
    }

    @Test
    void aStepLeftPendingKeepsTheCheckpoints() throws Exception {
        Path pb = setUp();
        Transcript t = Transcript.run(dir, """
                /run %s
                /next
                y
                /commit
                """.formatted(pb));
        assertEquals(0, t.status(), t.out() + t.err());
        assertEquals(3L, value("SELECT count(*) FROM items WHERE name LIKE '%!'"), t.out());
        assertEquals(1L, value("SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_progress'"),
                "a step is still pending: a crash before it commits must not run the batches again\n" + t.out());
    }
}
