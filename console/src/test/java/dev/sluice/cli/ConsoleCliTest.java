package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice console -e/-f} and {@code sluice demo} without a terminal, through Main. */
class ConsoleCliTest {
    @TempDir
    Path dir;

    @Test
    void evalPrintsOnlyTheResultAndExitsZero() {
        Path ws = dir.resolve("demo");
        CliRunner demo = CliRunner.run("demo", ws.toString());
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.out().contains("sluice console -w"), "without a terminal demo shows the tiers: " + demo.out());
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-e", "tier1.count(\"conversations\")");
        assertEquals(0, r.status(), r.err());
        assertEquals("2,000\n", r.out());
    }

    @Test
    void fileThenEvalStopAtFirstErrorWithStatusOne() throws Exception {
        Path ws = dir.resolve("demo");
        CliRunner.run("demo", ws.toString());
        Path script = dir.resolve("checks.jsh");
        Files.writeString(script, "long n = tier1.count(\"messages\");\ntier1.count(\"nope\")\n");
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-f", script.toString(), "-e", "System.out.println(\"not reached\")");
        assertEquals(1, r.status());
        assertEquals("n = 24,000\n", r.out());
        assertEquals("No such table: Tier 'tier1' has no table 'nope'. Tables: conversations, messages.\n", r.err());
    }

    /** Regression (seed 004 review): piped input came from System.in even when the CLI was handed another stream. */
    @Test
    void pipedInputIsEvaluatedAsAScript() {
        Path ws = dir.resolve("demo");
        CliRunner.run("demo", ws.toString());
        CliRunner r = CliRunner.runWithInput("tier2.count(\"patterns\")\ntier1.count(\"nope\")\nSystem.out.println(\"not reached\")\n",
                "console", "-w", ws.toString(), "--no-journal");
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals("5,000", r.out().strip());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void demoWithEvalOpensTheConsoleOnIt() {
        CliRunner r = CliRunner.run("demo", dir.resolve("d2").toString(), "-e", "tier3.count(\"archives\")");
        assertEquals(0, r.status(), r.err());
        assertEquals("3,000\n", r.out());
    }
}
