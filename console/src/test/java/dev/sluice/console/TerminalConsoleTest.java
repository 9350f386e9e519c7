package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.demo.DemoWorkspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's real entry point ({@code java … dev.sluice.cli.Main console}) on a real pseudo-terminal (tmux): Tab completes
 * {@code tier1.cou} and a table name, Ctrl-C cancels a runaway recursive query and the console stays, Ctrl-D leaves.
 */
class TerminalConsoleTest {
    private static final String SLOW = "tier1.query(\"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000000000) "
            + "SELECT count(*) FROM c\")";

    @TempDir
    Path dir;

    private final String session = "sluice-test-" + ProcessHandle.current().pid();

    @Test
    void tabCompletesAndCtrlCCancelsASlowQueryOnARealTerminal() throws Exception {
        assumeTrue(tmuxPresent(), "tmux is not installed: skipping the pseudo-terminal test (install tmux to run it)");
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "cd '" + ws + "' && '" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + cp
                + "' dev.sluice.cli.Main console; echo EXIT=$?; sleep 60";
        tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", cmd);
        try {
            await("\nsluice>", 60); // capture-pane trims the space after the prompt
            keys("6 * 7"); // the first result also means the startup script has been evaluated
            tmux("send-keys", "-t", session, "Enter");
            await("\n42\n", 60);
            keys("tier1.cou");
            tmux("send-keys", "-t", session, "Tab");
            await("sluice> tier1.count", 20);
            keys("(\"conv");
            tmux("send-keys", "-t", session, "Tab");
            await("tier1.count(\"conversations", 20);
            keys("\")");
            tmux("send-keys", "-t", session, "Enter");
            await("\n2,000\n", 30);

            keys(SLOW);
            tmux("send-keys", "-t", session, "Enter");
            await("running", 30); // the progress indicator after a second
            long t0 = System.nanoTime();
            tmux("send-keys", "-t", session, "C-c");
            await("Cancelled: Tier 'tier1': cancelled", 20);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "Ctrl-C took too long");

            keys("6 * 8");
            tmux("send-keys", "-t", session, "Enter");
            await("\n48\n", 20);
            tmux("send-keys", "-t", session, "C-d");
            await("EXIT=0", 20);
        } finally {
            tmux("kill-session", "-t", session);
        }
    }

    private static boolean tmuxPresent() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Literal text; tmux would read a trailing ';' as a command separator, so none of ours end with one. */
    private void keys(String text) throws Exception {
        tmux("send-keys", "-t", session, "-l", text);
    }

    private void await(String text, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String pane = "";
        while (System.nanoTime() < end) {
            pane = tmux("capture-pane", "-t", session, "-p", "-S", "-200");
            if (pane.contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Waited " + seconds + " s for '" + text + "'; the terminal shows:\n" + pane);
    }

    private static String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("tmux");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
