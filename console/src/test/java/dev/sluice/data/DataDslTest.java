package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDslTest {
    @TempDir
    Path dir;

    @Test
    void dslCallsCopyBackfillDiffAndSpotCheckByTierName() {
        TestWorkspaces.sqlite(dir, "tier1", "workspace");
        DataTiers.sqlite(dir.resolve("data/tier1.db")).close();
        DataTiers.sqlite(dir.resolve("data/workspace.db")).close();
        try (Session s = Session.open(dir)) {
            try (Sluice.Binding bound = Sluice.bind(s)) {
                Tier t1 = Sluice.tier("tier1");
                Tier ws = Sluice.tier("workspace");
                t1.script("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, done INTEGER DEFAULT 0); "
                        + "INSERT INTO tasks (title) VALUES ('a'), ('b'), ('c');");
                CopyResult c = Sluice.copy(Map.of("from", "tier1", "table", "tasks", "to", ws));
                assertTrue(c.verified(), c.toString());
                BackfillResult b = Sluice.backfill(ws, "UPDATE tasks SET done = 1 WHERE id BETWEEN :lo AND :hi", 2);
                assertEquals(3, b.rows());
                assertEquals(2, b.batches());
                Diff d = Sluice.diff(t1.table("tasks"), ws.table("tasks"));
                assertEquals(3, d.changed().size(), d.toString());
                assertEquals(3, Sluice.spotCheck(t1, ws, "tasks", 3).differences().size());
                // The playbook spellings: Groovy named arguments and a closure as the batch body.
                groovy.lang.Binding binding = new groovy.lang.Binding();
                binding.setVariable("tier1", t1);
                binding.setVariable("ws", ws);
                Object groovyResult = new groovy.lang.GroovyShell(binding).evaluate("""
                        import static dev.sluice.dsl.Sluice.*
                        copy from: tier1, table: 'tasks', to: ws, into: 'tasks_again', where: 'id > 1'
                        backfill(ws, 'tasks_again', 1) { batch -> batch.exec('UPDATE tasks_again SET done = 2 WHERE id BETWEEN :lo AND :hi') }
                        """);
                assertEquals(2, ((BackfillResult) groovyResult).rows());
                assertEquals(2L, ws.count("tasks_again", "done = 2"));
                SluiceException e = assertThrows(SluiceException.class, () -> Sluice.copy(Map.of("from", t1, "table", "tasks", "to", ws, "int", "x")));
                assertTrue(e.getMessage().contains("unknown argument 'int'"), e.getMessage());
            }
        }
    }
}
