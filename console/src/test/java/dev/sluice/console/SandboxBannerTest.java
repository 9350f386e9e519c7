package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import dev.sluice.snapshot.Sandbox;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On sandbox copies the banner and the prompt say SANDBOX on every line (issue 13), on a terminal. */
class SandboxBannerTest {
    @TempDir
    Path dir;

    @Test
    void sandboxConsoleMarksEveryBannerLineAndThePrompt() throws Exception {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        java.io.PipedOutputStream keys = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keys);
        try (Sandbox sb = Sandbox.open(Workspace.load(ws));
             Session session = Session.openKeepingDamaged(sb.workspace());
             Terminal terminal = TerminalBuilder.builder().system(false).type("xterm").size(new org.jline.terminal.Size(200, 50))
                     .encoding(StandardCharsets.UTF_8).streams(in, screen).build();
             Console console = Console.onTerminal(session, terminal, Console.Options.defaults().inSandbox()
                     .withHistoryFile(dir.resolve("history")))) {
            // As ConsoleInterruptTest: the console runs on its own thread; the screen is read once the prompt shows.
            java.util.concurrent.CompletableFuture<Integer> status = java.util.concurrent.CompletableFuture.supplyAsync(console::run);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!screen.toString(StandardCharsets.UTF_8).contains("SANDBOX sluice> ") && !status.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            keys.close(); // end of input: the console leaves
            assertEquals(0, status.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        // Without JLine's escape sequences (queries to the terminal, cursor save/restore). No input: the prompt, then end of input.
        String out = screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B(\\[[?0-9;$]*[A-Za-z]|[78=>])", "").replace("\r", "");
        List<String> banner = out.lines().dropWhile(l -> !l.contains("Sluice ")).takeWhile(l -> !l.contains("sluice> "))
                .filter(l -> !l.isBlank()).toList();
        assertTrue(banner.size() >= 5, "raw screen: [" + screen.toString(StandardCharsets.UTF_8).replace("\u001B", "ESC") + "]");
        banner.forEach(l -> assertTrue(l.startsWith("SANDBOX "), "every banner line is marked: '" + l + "'\n" + out));
        assertTrue(banner.stream().anyMatch(l -> l.matches("SANDBOX +copy at .*sluice-sandbox-.*tier1\\.db")), "the tier lines say where the copies are: " + out);
        assertTrue(out.contains("SANDBOX sluice> "), "the prompt is marked: " + out);
    }
}
