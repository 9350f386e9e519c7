package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.journal.JournalFile;
import dev.sluice.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "Interrupts end cleanly": a real {@code sluice run} in a child JVM gets SIGTERM or SIGINT inside a step, or at
 * the step-mode question, or its step calls exit; the step is rolled back, the locks released, the journal ended, one line
 * said, and the status is 16 (or non-zero for an exit), never 0.
 */
class InterruptTest {
    static final String PLAYBOOK = """
            playbook 'Interrupted', {
                tiers 'tier1', 'tier2'
                param 'marker', ''
                param 'pause', 0
                param 'spin', 0
                param 'quit', 0
                step 'first', {
                    tier2.exec("INSERT INTO items (name) VALUES ('first')")
                }
                step 'slow', {
                    tier1.exec("INSERT INTO items (name) VALUES ('uncommitted')")
                    if (marker) { new File(marker).text = 'inside the step' }
                    if (pause) { Thread.sleep(pause) }
                    if (spin) { tier1.query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) SELECT count(*) FROM n") }
                    if (quit) { def r = Runtime.getRuntime(); r.exit(0) }
                }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void sigtermInsideASleepingStepRollsItBackReleasesTheLocksAndExits16() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("interrupted.groovy", PLAYBOOK);
        String before = checksum(f, "tier1");
        Path marker = tmp.resolve("marker");
        Process child = start(pb, "--yes", "-p", "marker=" + marker, "-p", "pause=60000");
        waitFor(child, () -> Files.exists(marker));
        child.destroy(); // SIGTERM
        Ended e = ended(child);

        assertEquals(ErrorCode.CANCELLED.exitStatus(), e.status, e.log);
        assertEquals(List.of("Cancelled: step 'slow' rolled back; 1 step committed before it stays committed"), e.errLines(), e.log);
        assertUnchangedAndFree(f, pb, before, "SIGTERM");
    }

    @Test
    void sigintDuringALongQueryCancelsTheStatementAndExits16() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("interrupted.groovy", PLAYBOOK);
        String before = checksum(f, "tier1");
        Path marker = tmp.resolve("marker");
        Process child = start(pb, "--yes", "-p", "marker=" + marker, "-p", "spin=1");
        waitFor(child, () -> Files.exists(marker));
        Thread.sleep(200); // into the query
        signal(child, "INT");
        Ended e = ended(child);

        assertEquals(ErrorCode.CANCELLED.exitStatus(), e.status, e.log);
        assertEquals(List.of("Cancelled: step 'slow' rolled back; 1 step committed before it stays committed"), e.errLines(), e.log);
        assertUnchangedAndFree(f, pb, before, "SIGINT");
    }

    @Test
    void sigintAtTheStepModeQuestionRollsBackTheOpenStep() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("interrupted.groovy", PLAYBOOK);
        String before1 = checksum(f, "tier1");
        String before2 = checksum(f, "tier2");
        Process child = start(pb); // step mode, answers from a pipe that stays silent
        waitFor(child, () -> read(tmp.resolve("child.out")).contains("[c]ommit"));
        signal(child, "INT");
        Ended e = ended(child);

        assertEquals(ErrorCode.CANCELLED.exitStatus(), e.status, e.log);
        assertEquals(List.of("Cancelled: step 'first' rolled back; nothing committed"), e.errLines(), e.log);
        assertEquals(before2, checksum(f, "tier2"), "tier2 as before the run");
        assertEquals(0, f.historyRows("tier2"), "no history row for the cancelled step");
        assertUnchangedAndFree(f, pb, before1, "SIGINT");
    }

    @Test
    void aStepThatExitsTheJvmIsRolledBackAndTheRunDoesNotEndWithStatus0() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("interrupted.groovy", PLAYBOOK);
        String before = checksum(f, "tier1");
        Process child = start(pb, "--yes", "-p", "quit=1");
        Ended e = ended(child);

        assertNotEquals(0, e.status, e.log);
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), e.status, e.log);
        assertEquals(1, e.errLines().size(), e.log);
        assertTrue(e.errLines().get(0).startsWith("Step 'slow' tried to exit the JVM; rolled back; 1 earlier step stays committed."), e.log);
        assertUnchangedAndFree(f, pb, before, "System.exit");
    }

    @Test
    void sigtermOnAConsoleWithAStepOpenRollsItBackAndExits16() throws Exception {
        signalOnAConsoleWithAStepOpen("TERM");
    }

    @Test
    void sighupOnAConsoleWithAStepOpenRollsItBackAndExits16() throws Exception {
        signalOnAConsoleWithAStepOpen("HUP"); // the terminal closed, the ssh session dropped
    }

    private void signalOnAConsoleWithAStepOpen(String sig) throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("interrupted.groovy", PLAYBOOK);
        String before2 = checksum(f, "tier2");
        Process child = start("console", "-w", tmp.toString());
        child.getOutputStream().write(("/run " + pb + "\n/next\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        child.getOutputStream().flush(); // and the pipe stays open: the console waits for more
        waitFor(child, () -> read(tmp.resolve("child.out")).contains("[open]"));
        signal(child, sig);
        Ended e = ended(child);

        assertEquals(ErrorCode.CANCELLED.exitStatus(), e.status, e.log);
        assertEquals(List.of("Cancelled: step 'first' rolled back; nothing committed"), e.errLines(), e.log);
        assertEquals(before2, checksum(f, "tier2"), "tier2 as before the step");
        assertEquals(0, f.historyRows("tier2"), "no history row for the cancelled step");
        assertUnchangedAndFree(f, pb, checksum(f, "tier1"), "SIG" + sig);
    }

    @Test
    void aPlaybookThatCallsExitIsRefusedAtLoadWithItsLineAndNothingRuns() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path marker = tmp.resolve("top-level-ran");
        String[][] calls = {
                {"System.exit(0)", "System.exit"},
                {"Runtime.getRuntime().halt(0)", "Runtime.halt"},
                {"Runtime.runtime.exit(0)", "Runtime.exit"},
                {"Runtime r = Runtime.getRuntime(); r.halt(0)", "Runtime.halt"},
                {"exit(0)", "System.exit"}, // through the static import below
                {"[0].each(System.&exit)", "System.exit"},
        };
        for (String[] c : calls) {
            Path pb = f.playbook("exits.groovy", "import static java.lang.System.exit\n"
                    + "new File('" + marker + "').text = 'top level ran'\n"
                    + "playbook 'Exits', {\n"
                    + "    step 'leave', {\n"
                    + "        tier1.exec(\"INSERT INTO items (name) VALUES ('x')\")\n"
                    + "        " + c[0] + "\n"
                    + "    }\n"
                    + "}\n");
            for (String mode : new String[]{"--list", "--yes"}) {
                CliRunner r = CliRunner.run(f.args(pb, mode));
                assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status(), c[0] + " " + mode + ": " + r.out() + r.err());
                assertTrue(r.err().startsWith("error: " + pb.toString().replaceFirst("^" + java.util.regex.Pattern.quote(
                        Path.of("").toAbsolutePath() + "/"), "") + ":6:"), c[0] + ": " + r.err());
                assertTrue(r.err().contains("'" + c[1] + "' would end Sluice in the middle of the run"), c[0] + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
        }
        assertTrue(Files.notExists(marker), "no code of a refused playbook ran, not even its top level");
        assertEquals(3, f.count("tier1", "items"));
    }

    // ---------------------------------------------------------------- helpers

    /** tier1 holds what it held, no history row for 'slow', the journal ended, and a new run goes through with no unlock. */
    private void assertUnchangedAndFree(PlaybookFixture f, Path pb, String before, String cancelled) throws IOException {
        for (String t : new String[]{"tier1", "tier2"}) {
            try (Tier tier = Tier.open(f.ws.tier(t))) {
                assertTrue(tier.integrity().ok(), t + " passes integrity_check");
            }
        }
        assertEquals(before, checksum(f, "tier1"), "tier1's rows are as before the run");
        assertEquals(0, f.historyRows("tier1"), "no history row for the rolled-back step");

        ObjectNode end = lastEvent();
        assertEquals("end", end.path("type").asText(), end.toString());
        assertEquals(cancelled, end.path("cancelled").asText(), end.toString());
        assertNotEquals(0, end.path("status").asInt(), end.toString());

        CliRunner again = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, again.status(), again.out() + again.err());
        assertEquals(4, f.count("tier1", "items"), "the re-run applied the step");
    }

    private ObjectNode lastEvent() throws IOException {
        Path newest;
        try (Stream<Path> s = Files.list(tmp.resolve("sessions"))) {
            newest = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        List<ObjectNode> events = JournalFile.read(newest, false).events(); // refuses a journal cut short or unsealed
        return events.get(events.size() - 1);
    }

    private static String checksum(PlaybookFixture f, String tier) {
        try (Tier t = Tier.open(f.ws.tier(tier))) {
            return t.checksum("items").sha256();
        }
    }

    private Process start(Path pb, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", pb.toString(), "-w", tmp.toString()));
        args.addAll(List.of(more));
        return start(args.toArray(String[]::new));
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            cmd.add("-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"));
        }
        cmd.add("dev.sluice.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(tmp.resolve("child.out").toFile()).redirectError(tmp.resolve("child.err").toFile())
                .start(); // stdin stays an open, silent pipe: step mode waits at its question
    }

    private void waitFor(Process child, Check reached) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!reached.ok() && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(reached.ok(), "the child got there: " + read(tmp.resolve("child.out")) + read(tmp.resolve("child.err")));
    }

    private static void signal(Process child, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(child.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private Ended ended(Process child) throws Exception {
        boolean done = child.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        String out = read(tmp.resolve("child.out"));
        String err = read(tmp.resolve("child.err"));
        assertTrue(done, "the child ended within 30 s of the signal: " + out + err);
        return new Ended(child.exitValue(), err, "stdout:\n" + out + "\nstderr:\n" + err);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private record Ended(int status, String err, String log) {
        /** stderr without the JVM's own warnings (a JDK may print one about native access). */
        List<String> errLines() {
            Predicate<String> jvm = l -> l.startsWith("WARNING:") || l.isBlank();
            return err.lines().filter(jvm.negate()).toList();
        }
    }
}
