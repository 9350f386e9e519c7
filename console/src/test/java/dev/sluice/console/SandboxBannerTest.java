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
        try (Sandbox sb = Sandbox.open(Workspace.load(ws));
             Session session = Session.openKeepingDamaged(sb.workspace());
             Terminal terminal = TerminalBuilder.builder().system(false).type("xterm").size(new org.jline.terminal.Size(200, 50)).encoding(StandardCharsets.UTF_8)
                     .streams(new ByteArrayInputStream("6 * 7\n".getBytes(StandardCharsets.UTF_8)), screen).build();
             Console console = Console.onTerminal(session, terminal, Console.Options.defaults().inSandbox()
                     .withHistoryFile(dir.resolve("history")))) {
            assertEquals(0, console.run());
        }
        // Without JLine's queries to the terminal (escape sequences); the typed input may be echoed before the banner.
        String out = screen.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[?0-9;$]*[A-Za-z]", "");
        List<String> banner = out.lines().dropWhile(l -> !l.contains("Sluice ")).takeWhile(l -> !l.contains("sluice> ")).toList();
        assertTrue(banner.size() >= 5, out);
        banner.forEach(l -> assertTrue(l.startsWith("SANDBOX "), "every banner line is marked: '" + l + "'\n" + out));
        assertTrue(banner.stream().anyMatch(l -> l.matches("SANDBOX +copy at .*sluice-sandbox-.*tier1\\.db")), "the tier lines say where the copies are: " + out);
        assertTrue(out.contains("SANDBOX sluice> "), "the prompt is marked: " + out);
    }
}
