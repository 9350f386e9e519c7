package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.testing.TestWorkspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 2 at the console: {@code /run} shows the precondition report, and refuses to load a run that fails it. */
class ConsolePreconditionsTest {
    @TempDir
    Path dir;

    private static Map<String, String> files(Path ws) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(ws.resolve("data"))) {
            s.forEach(p -> out.put(p.getFileName().toString(), TestWorkspaces.fileHash(p)));
        }
        return out;
    }

    @Test
    void runShowsTheReportAndAFailingOneLoadsNothingAndWritesNothing() throws IOException {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        Files.writeString(ws.resolve("holds.groovy"), """
                playbook 'Holds', {
                    tiers 'tier1'
                    requires {
                        columns tier1, 'messages', 'id', 'conversation_id', 'content'
                        snapshotFree 'pre-migration'
                    }
                    step 'count', {
                        requires { table tier1, 'conversations' }
                        expect('some') { tier1.count('conversations') > 0 }
                    }
                }
                """);
        Files.writeString(ws.resolve("fails.groovy"), """
                playbook 'Fails', {
                    tiers 'tier1'
                    requires {
                        columns tier1, 'messages', 'id', 'no_such_column'
                        journalMode tier1, 'delete'
                    }
                    step 'write', { tier1.exec("DELETE FROM messages") }
                }
                """);
        Map<String, String> before = files(ws);
        Transcript refused = Transcript.run(ws, """
                /run fails.groovy
                /status
                """, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertEquals(3, refused.errLines().size(), refused.err());
        assertTrue(refused.errLines().get(0).startsWith("Precondition: ") && refused.errLines().get(0).endsWith(
                "fails.groovy: 2 of 2 preconditions failed; nothing ran and nothing was written to any tier:"), refused.err());
        assertTrue(refused.errLines().get(1).startsWith("  playbook: columns tier1.messages(id, no_such_column): found no no_such_column (it has "),
                refused.err());
        assertEquals("  playbook: journalMode tier1: found wal; wanted delete. Set it first (journalMode tier1, 'delete' in a step of its "
                + "own, or \"pragmas\": {\"journal_mode\": \"DELETE\"} in sluice.json).", refused.errLines().get(2));
        assertTrue(refused.out().endsWith("No playbook is loaded. /run PLAYBOOK loads one (Tab after /run lists them).\n"), refused.out());
        assertEquals(before, files(ws), "every tier file byte-identical, no -wal/-shm left");

        Transcript t = Transcript.run(ws, "/run holds.groovy\n");
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("""
                Preconditions: 3 hold.
                  ✓ playbook: columns tier1.messages(id, conversation_id, content): holds (all 3 present)
                  ✓ playbook: snapshotFree 'pre-migration': holds (no snapshot 'pre-migration')
                  ✓ step 1 'count': table tier1.conversations: holds (present)
                """), t.out());
    }
}
