package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 through scripts/sluice and the packaged jar (failsafe): SIGTERM to a sandbox console with a {@code /next} step
 * open rolls the step back and halts the JVM, and a halt runs no shutdown hook; the sandbox's copies are dropped anyway.
 */
class SandboxSignalIT {
    private static final Path LAUNCHER = Path.of("..", "scripts", "sluice").toAbsolutePath().normalize();
    private static final Pattern FILES_IN = Pattern.compile("files in (\\S+?)[,;)]");

    @TempDir
    Path tmp;

    @Test
    void sigtermWithAStepOpenInTheSandboxDropsTheCopiesBeforeTheHalt() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(tmp, "tier1");
        try (Tier t = Tier.open(ws.tier("tier1"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('ä'), (NULL);");
        }
        Path pb = tmp.resolve("add.groovy");
        Files.writeString(pb, """
                playbook 'Add', {
                    tiers 'tier1'
                    step 'add', { tier1.exec("INSERT INTO items (name) VALUES ('b')") }
                }
                """);
        ProcessBuilder b = new ProcessBuilder(LAUNCHER.toString(), "console", "-w", tmp.toString(), "--sandbox").directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        b.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        b.environment().remove("SLUICE_JAVA_OPTS");
        Process p = b.start();
        OutputStream in = p.getOutputStream(); // kept open: the console waits for the next line with the step open
        in.write(("/run " + pb + "\n/next\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(tmp.resolve("out")).contains("Step 1/1 'add'") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        String err = Files.readString(tmp.resolve("err"));
        assertTrue(p.isAlive(), Files.readString(tmp.resolve("out")) + err);
        Matcher m = FILES_IN.matcher(err);
        assertTrue(m.find(), "the first line names the copies: " + err);
        Path copies = Path.of(m.group(1));
        assertTrue(Files.isRegularFile(copies.resolve("tier1.db")));

        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the console ended on SIGTERM");
        err = Files.readString(tmp.resolve("err"));
        assertEquals(ErrorCode.CANCELLED.exitStatus(), p.exitValue(), err);
        assertTrue(err.contains("Cancelled: step 'add' rolled back"), err);
        assertFalse(Files.exists(copies), "the sandbox's copies are dropped before the halt: " + copies);
        try (Tier t = Tier.open(ws.tier("tier1"))) {
            assertEquals(2L, ((Number) t.query("SELECT count(*) FROM items").value()).longValue(), "the live tier never saw the step");
        }
    }
}
