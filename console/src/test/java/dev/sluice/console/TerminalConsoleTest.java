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
 * {@code tier1.cou} and a table name, Ctrl-C cancels a runaway recursive query and the console stays, a table printed
 * after the window shrank fits the new width, Ctrl-D leaves.
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

            // The window shrinks (tmux sends SIGWINCH): the next table is as wide as the window is now (issue 16).
            String wide = "tier1.query(\"select * from conversations order by id limit 2\")";
            keys(wide);
            tmux("send-keys", "-t", session, "Enter");
            await("(2 rows)", 20);
            tmux("resize-window", "-t", session, "-x", "70");
            keys(wide);
            tmux("send-keys", "-t", session, "Enter");
            String pane = await("(2 rows)", 2, 20); // the second table
            String narrow = pane.substring(pane.lastIndexOf(wide.substring(0, 30)));
            List<String> table = narrow.lines().filter(l -> l.startsWith("+") || l.startsWith("|")).toList();
            // Each line whole (ending in its border, not wrapped by the terminal), all of one length, at most 70.
            assertTrue(table.size() == 6 && table.stream().allMatch(l -> l.stripTrailing().length() == table.get(0).length()
                    && (l.stripTrailing().endsWith("+") || l.stripTrailing().endsWith("|"))) && table.get(0).length() <= 70
                    && table.get(0).length() > 60, "a 70-column window gets a table of at most 70:\n" + narrow);
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

    private String await(String text, int seconds) throws Exception {
        return await(text, 1, seconds);
    }

    /** Waits until the pane (with its scrollback) shows {@code text} {@code times} times; returns the pane then. */
    private String await(String text, int times, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String pane = "";
        while (System.nanoTime() < end) {
            pane = tmux("capture-pane", "-t", session, "-p", "-S", "-200");
            if (pane.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return pane;
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
