package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: a half-written commit intent (full disk, crash) is cleared with a note and the run goes on; writing one is atomic. */
class IntentFileTest {
    static final String TWO_TIERS = """
            playbook 'Two tiers', {
                tiers 'tier1', 'tier3'
                step 'both', {
                    tier1.exec("INSERT INTO items (name) VALUES ('one')")
                    tier3.exec("INSERT INTO items (name) VALUES ('three')")
                }
            }
            """;

    @TempDir
    Path tmp;

    static List<String> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anEmptyOrTruncatedIntentIsClearedWithANoteAndTheRunGoesOnIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("two.groovy", TWO_TIERS);
        Path intents = tmp.resolve(".sluice/intents");
        Files.createDirectories(intents);
        Path empty = Files.createFile(intents.resolve("20261207T120000-1-3a.json"));
        Path cut = Files.writeString(intents.resolve("20261207T120100-2-3b.json"), "{\"runId\":\"20261207T120100-2\",\"playbook\":\"two\",\"st");
        Files.writeString(intents.resolve(".intent-123.tmp"), "{\"runId\"");
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Cleared the empty commit intent " + empty + ": it was never written whole (a full disk or a crash while "
                + "writing it), and it is written before a step's first commit, so nothing was committed under it."), r.out());
        assertTrue(r.out().contains("Cleared the unreadable commit intent " + cut + ": it was never written whole"), r.out());
        assertEquals("", r.err());
        assertEquals(List.of(), files(intents), "cleared, and the step's own intent deleted after its commits");
        assertEquals(4L, f.count("tier1", "items"));
        assertEquals(4L, f.count("tier3", "items"));
    }

    @Test
    void anIntentThatCannotBeWrittenStopsBeforeAnyCommitAndLeavesNoFileIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("two.groovy", TWO_TIERS);
        Path intents = tmp.resolve(".sluice/intents");
        Files.createDirectories(intents);
        ReadOnlyFolder.make(intents);
        CliRunner r;
        try {
            r = CliRunner.run(f.args(pb, "--yes"));
        } finally {
            ReadOnlyFolder.undo(intents);
        }
        assertEquals(ErrorCode.IO.exitStatus(), r.status(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("Cannot record the commit intent in " + intents.toAbsolutePath().normalize()), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("; nothing was committed. Check free space and permissions."), r.out() + r.err());
        assertEquals(List.of(), files(intents));
        assertEquals(3L, f.count("tier1", "items"));
        assertEquals(3L, f.count("tier3", "items"));
        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertEquals(4L, f.count("tier1", "items"));
    }
}
