package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 through scripts/sluice and the packaged jar (failsafe): Ctrl-C's signal at the step-mode question reaches the
 * JVM's handler (sun.misc.Signal from jdk.unsupported, on the class path of {@code java -jar}), which rolls the step
 * back, releases the lock and exits 16; the next run needs no unlock.
 */
class InterruptIT {
    private static final Path LAUNCHER = Path.of("..", "scripts", "sluice").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void sigintAtTheQuestionThroughTheLauncherRollsBackAndExits16() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(tmp, "tier1");
        try (Tier t = Tier.open(ws.tier("tier1"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO items (name) VALUES ('a');");
        }
        Path pb = tmp.resolve("add.groovy");
        Files.writeString(pb, """
                playbook 'Add', {
                    tiers 'tier1'
                    step 'add', { tier1.exec("INSERT INTO items (name) VALUES ('b')") }
                }
                """);
        ProcessBuilder b = new ProcessBuilder(LAUNCHER.toString(), "run", pb.toString(), "-w", tmp.toString()).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        b.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        b.environment().remove("SLUICE_JAVA_OPTS");
        Process p = b.start(); // stdin: an open pipe nobody writes to, so the question waits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(tmp.resolve("out")).contains("[c]ommit") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), Files.readString(tmp.resolve("out")) + Files.readString(tmp.resolve("err")));
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the run ended on SIGINT");
        String err = Files.readString(tmp.resolve("err"));
        assertEquals(ErrorCode.CANCELLED.exitStatus(), p.exitValue(), err);
        assertEquals(List.of("Cancelled: step 'add' rolled back; nothing committed"),
                err.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING:")).toList());
        try (Tier t = Tier.open(ws.tier("tier1"))) {
            assertEquals(1L, ((Number) t.query("SELECT count(*) FROM items").value()).longValue(), "the step was rolled back");
        }

        ProcessBuilder again = new ProcessBuilder(LAUNCHER.toString(), "run", pb.toString(), "-w", tmp.toString(), "--yes")
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("again").toFile());
        again.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Process a = again.start();
        assertTrue(a.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, a.exitValue(), "no unlock needed: " + Files.readString(tmp.resolve("again")));
    }
}
