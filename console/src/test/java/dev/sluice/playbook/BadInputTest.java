package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14, point 5: every bad input is one true line (what, where, what to do) and changes nothing. Through `sluice run`. */
class BadInputTest {
    static final String ONE_STEP = """
            playbook 'One step', {
                tiers 'tier1'
                step 'one', {
                    tier1.exec("INSERT INTO items (name) VALUES ('x')")
                }
            }
            """;

    @TempDir
    Path tmp;

    /** The one line a failed run printed (asserting there is exactly one). */
    static String oneLine(CliRunner r) {
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: "), err);
        return err.substring("error: ".length());
    }

    @Test
    void anyFileNameWorksAsAPlaybookIssue14() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        for (String name : new String[]{"long", "int", "double", "class", "void", "1st-step", "back-up.v2", "new"}) {
            Path pb = f.playbook(name + ".groovy", ONE_STEP);
            CliRunner list = CliRunner.run(f.args(pb, "--list"));
            assertEquals(0, list.status(), name + ": " + list.err());
            assertTrue(list.out().contains("1. pending  one"), name + ": " + list.out());
        }
        CliRunner run = CliRunner.run(f.args(tmp.resolve("playbooks/long.groovy"), "--yes"));
        assertEquals(0, run.status(), run.err());
        assertEquals(4L, f.count("tier1", "items"));
    }

    @Test
    void aPlaybookPathThatIsADirectoryIsNamedAsOneIssue14() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        f.playbook("tour.groovy", ONE_STEP);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(tmp.resolve("playbooks"), "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status());
        assertEquals("Playbook " + tmp.resolve("playbooks") + " is a directory, not a playbook file. Give the path of a .groovy file in it, e.g. "
                + tmp.resolve("playbooks").resolve("tour.groovy") + ".", oneLine(r));
        assertEquals(before, f.hashes());
    }

    @Test
    void bothSluiceJsonAndSluiceYamlAreRefusedNamingBothIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("one.groovy", ONE_STEP);
        Files.writeString(tmp.resolve("sluice.yaml"), "tiers:\n  tier1: data/other.db\n");
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), r.status());
        Path abs = tmp.toAbsolutePath().normalize();
        assertEquals("Workspace " + abs + " has both sluice.json and sluice.yaml; Sluice would have to ignore one. Keep one of them and "
                + "delete or rename the other.", oneLine(r));
        assertEquals(before, f.hashes());
        assertTrue(Files.notExists(tmp.resolve("data/other.db")));
    }
}
