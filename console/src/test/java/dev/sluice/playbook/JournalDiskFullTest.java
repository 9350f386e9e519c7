package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a full disk under the journal. The journal folder is a real 16 KB file system (tmpfs), so the disk really
 * fills mid-run; the test needs the right to mount one (root on Linux) and is skipped without it.
 */
class JournalDiskFullTest {
    @TempDir
    Path tmp;
    private Path mounted;

    static final String MANY_OBSERVATIONS = """
            playbook 'Chatty', {
                tiers 'tier1'
                step 'count a lot', {
                    tier1.exec("INSERT INTO items (name) VALUES ('x')")
                    300.times { tier1.count('items') }
                }
            }
            """;

    private void smallDisk(Path dir) throws Exception {
        Files.createDirectories(dir);
        int rc;
        try {
            rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir.toString()).redirectErrorStream(true).start().waitFor();
        } catch (java.io.IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "cannot mount a small tmpfs here (needs root on Linux)");
        mounted = dir;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            new ProcessBuilder("umount", mounted.toString()).redirectErrorStream(true).start().waitFor();
        }
    }

    static String stopped(Path journal) {
        return "Cannot write to journal " + journal + " (No space left on device), so Sluice stopped rather than go on unrecorded (steps "
                + "committed before stay committed; a step in progress was rolled back). Free disk space and run again (--no-journal runs "
                + "without a record).";
    }

    @Test
    void aFullDiskUnderTheJournalStopsTheRunCleanlyInOneTrueLineIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("chatty.groovy", MANY_OBSERVATIONS);
        smallDisk(tmp.resolve("sessions"));
        Object before = f.value("tier1", BadInputTest.ITEMS);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.JOURNAL.exitStatus(), r.status(), r.out() + r.err());
        Path journal = dev.sluice.testing.TestWorkspaces.onlyJournal(tmp);
        assertEquals(stopped(journal), BadInputTest.oneLine(r));
        assertTrue(r.out().contains("Step 1/1 'count a lot': FAILED after "), r.out());
        assertTrue(r.out().contains(", every tier rolled back"), r.out());
        assertEquals(before, f.value("tier1", BadInputTest.ITEMS));
        assertEquals(0L, f.historyRows("tier1"));
        // Full from the start: the journal cannot even begin, and no headless file is left.
        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.JOURNAL.exitStatus(), again.status());
        assertEquals("Cannot start a journal in " + tmp.resolve("sessions").toAbsolutePath().normalize() + " (No space left on device). "
                + "Free disk space, or run with --no-journal.", BadInputTest.oneLine(again));
        assertEquals(journal, dev.sluice.testing.TestWorkspaces.onlyJournal(tmp));
        assertEquals(before, f.value("tier1", BadInputTest.ITEMS));
    }

    @Test
    void aFullDiskUnderTheJournalStopsTheConsoleInOneTrueLineIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        smallDisk(tmp.resolve("sessions"));
        CliRunner c = CliRunner.runWithInput("tier1.count(\"items\")\n".repeat(300) + "System.out.println(\"still here\")\n",
                "console", "-w=" + tmp);
        assertEquals(ErrorCode.JOURNAL.exitStatus(), c.status(), c.err());
        assertEquals(stopped(dev.sluice.testing.TestWorkspaces.onlyJournal(tmp)), BadInputTest.oneLine(c));
        assertTrue(!c.out().contains("still here"), "nothing ran after the journal stopped: " + c.out());
    }
}
