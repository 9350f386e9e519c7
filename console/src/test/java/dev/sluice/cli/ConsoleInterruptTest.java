package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.console.commands.JournalCommands;
import dev.sluice.console.Console;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.Recording;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "Interrupts end cleanly", in the console on a terminal (a pseudo-terminal fed with keys, Ctrl-C as ^C): a
 * Ctrl-C at the prompt while a {@code /next} step is open says so and keeps the console; a second one rolls the step
 * back, releases the run locks, ends the journal as cancelled, says one line and ends the console with status 16.
 * Without an open step Ctrl-C at the prompt only clears it, as STYLE 9 asks.
 */
class ConsoleInterruptTest {
    private static final String CTRL_C = "\u0003";
    private static final String PROMPT = "sluice> ";
    private static final String PLAYBOOK = """
            playbook 'Interrupted', {
                tiers 'tier1', 'tier2'
                step 'first', {
                    tier1.exec("INSERT INTO items (name) VALUES ('uncommitted')")
                    tier2.exec("INSERT INTO items (name) VALUES ('uncommitted')")
                }
            }
            """;

    @TempDir
    Path tmp;
    /** When set, the console's error output stops after this text until the keys of the next step have been read. */
    private String holdErrAfter;

    @Test
    void twoCtrlCsAtThePromptWithAStepOpenRollItBackReleaseTheLocksAndEndTheConsoleWith16() throws Exception {
        Workspace ws = workspace();
        Path pb = Files.writeString(tmp.resolve("interrupted.groovy"), PLAYBOOK);
        String before1 = checksum(ws, "tier1");
        String before2 = checksum(ws, "tier2");

        Typed t = type(ws, PROMPT, "/run " + pb + "\n", PROMPT, "/next\n", "[open]", "", PROMPT, CTRL_C, "Ctrl-C again", "",
                PROMPT, CTRL_C); // the second press once the prompt reads again: a ^C between two reads reaches no handler

        assertEquals(ErrorCode.CANCELLED.exitStatus(), t.status, t.log());
        assertEquals(List.of("Step 'first' is open: Ctrl-C again within 600 s rolls it back and quits; /rollback rolls it back and stays; "
                + "/commit keeps it.", "Cancelled: step 'first' rolled back; nothing committed"), t.errLines(), t.log());
        assertEquals(before1, checksum(ws, "tier1"), "tier1 as before the step");
        assertEquals(before2, checksum(ws, "tier2"), "tier2 as before the step");
        assertNoLocksLeft(ws);
        ObjectNode end = lastEvent();
        assertEquals("end", end.path("type").asText(), end.toString());
        assertEquals("SIGINT", end.path("cancelled").asText(), end.toString());
        assertEquals(ErrorCode.CANCELLED.exitStatus(), end.path("status").asInt(), end.toString());

        CliRunner again = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, again.status(), "a new run needs no unlock: " + again.out() + again.err());
    }

    /**
     * A second Ctrl-C pressed while the console still prints what the first one said is between two reads: JLine's
     * handler is gone and the console's had nothing to cancel. The next prompt takes it; it is not lost.
     */
    @Test
    void aSecondCtrlCPressedWhileTheConsoleStillPrintsTheFirstOnesAnswerIsNotLost() throws Exception {
        Workspace ws = workspace();
        Path pb = Files.writeString(tmp.resolve("interrupted.groovy"), PLAYBOOK);
        String before1 = checksum(ws, "tier1");
        holdErrAfter = "Ctrl-C again"; // the console waits in its println while the second Ctrl-C is pressed

        Typed t = type(ws, PROMPT, "/run " + pb + "\n", PROMPT, "/next\n", "[open]", "", PROMPT, CTRL_C, "Ctrl-C again", CTRL_C);

        assertEquals(ErrorCode.CANCELLED.exitStatus(), t.status, t.log());
        assertEquals("Cancelled: step 'first' rolled back; nothing committed", t.errLines().get(t.errLines().size() - 1), t.log());
        assertEquals(before1, checksum(ws, "tier1"), "tier1 as before the step");
        assertNoLocksLeft(ws);
    }

    @Test
    void oneCtrlCAtThePromptWithAStepOpenOnlySaysHowAndTheStepStaysOpen() throws Exception {
        Workspace ws = workspace();
        Path pb = Files.writeString(tmp.resolve("interrupted.groovy"), PLAYBOOK);

        Typed t = type(ws, PROMPT, "/run " + pb + "\n", PROMPT, "/next\n", "[open]", "", PROMPT, CTRL_C, "Ctrl-C again", "tier1.count(\"items\")\n/commit\n",
                "committed", "", PROMPT, ""); // the Ctrl-D that ends it once the prompt reads again: between reads a pty drops it

        assertEquals(0, t.status, t.log());
        assertEquals(List.of("Step 'first' is open: Ctrl-C again within 600 s rolls it back and quits; /rollback rolls it back and stays; "
                + "/commit keeps it."), t.errLines(), t.log());
        try (Tier tier = Tier.open(ws.tier("tier1"))) {
            assertEquals(4, tier.count("items"), "the step was committed after the Ctrl-C");
        }
        assertNoLocksLeft(ws);
    }

    @Test
    void ctrlCAtThePromptWithoutAStepOpenKeepsTheConsole() throws Exception {
        Workspace ws = workspace();
        Typed t = type(ws, PROMPT, CTRL_C, PROMPT, CTRL_C, PROMPT, "tier1.exec(\"INSERT INTO items (name) VALUES ('typed')\")\n",
                PROMPT, "");

        assertEquals(0, t.status, t.log());
        assertEquals(List.of(), t.errLines(), t.log());
        try (Tier tier = Tier.open(ws.tier("tier1"))) {
            assertEquals(4, tier.count("items"), "the console went on after the Ctrl-Cs and ran what was typed next");
        }
    }

    // ---------------------------------------------------------------- helpers

    private Workspace workspace() {
        Workspace ws = TestWorkspaces.sqlite(tmp, "tier1", "tier2");
        for (String name : new String[]{"tier1", "tier2"}) {
            try (Tier t = Tier.open(ws.tier(name), true)) {
                t.script((name.equals("tier2") ? "PRAGMA journal_mode = WAL;\n" : "")
                        + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
            }
        }
        return ws;
    }

    /**
     * The console as 'sluice console' opens it on a terminal, recording, on a terminal that gets {@code steps} one after the
     * other: each is sent once the screen or the error output shows, since the previous keys, the text before it ({@code until}). An xterm, not a dumb
     * terminal: JLine's dumb key map inserts ^C as a character, where every real terminal's reads it as Ctrl-C.
     */
    private Typed type(Workspace ws, String... steps) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        StringWriter errText = new StringWriter();
        java.util.concurrent.CountDownLatch errHeld = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch errRelease = new java.util.concurrent.CountDownLatch(1);
        String hold = holdErrAfter;
        PrintWriter err = new PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] c, int off, int len) {
                errText.write(c, off, len);
                if (hold != null && errHeld.getCount() > 0 && errText.toString().contains(hold)) {
                    errHeld.countDown();
                    try {
                        errRelease.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        }, true);
        java.io.PipedOutputStream keys = new java.io.PipedOutputStream();
        java.io.PipedInputStream in = new java.io.PipedInputStream(keys, 1 << 16);
        java.util.concurrent.CompletableFuture<Integer> status = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<Terminal> terminal = new java.util.concurrent.atomic.AtomicReference<>();
        Thread console = new Thread(() -> {
            try (Session session = Session.open(ws.dir());
                 Terminal term = TerminalBuilder.builder().system(false).type("xterm").size(new org.jline.terminal.Size(160, 50)).encoding(StandardCharsets.UTF_8)
                         .streams(in, screen).build();
                 Recording rec = Recording.start(session, "console")) {
                terminal.set(term);
                Console.Options opts = dev.sluice.console.commands.StandardCommands.options().withListener(new JournalBridge(rec.journal()))
                        .withCommands(JournalCommands.of(rec.journal())).withHistoryFile(tmp.resolve("history"));
                int s = ConsoleOptions.onTerminal(session, term, err, opts, rec, Duration.ofSeconds(600));
                rec.status(s);
                status.complete(s);
            } catch (Throwable t) {
                status.completeExceptionally(t);
            }
        }, "console-under-test");
        console.start();
        int seen = 0;
        int seenErr = 0;
        for (int i = 0; i < steps.length; i += 2) {
            String until = steps[i];
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            int from = seen;
            int fromErr = seenErr;
            java.util.function.Supplier<String> since = () -> screen.toString(StandardCharsets.UTF_8).substring(from)
                    + errText.toString().substring(fromErr);
            while (!since.get().contains(until) && !status.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(since.get().contains(until), "the console got to '" + until + "': " + screen.toString(StandardCharsets.UTF_8) + errText);
            int onScreen = screen.toString(StandardCharsets.UTF_8).indexOf(until, from);
            if (onScreen >= 0) {
                seen = onScreen + until.length(); // the next step looks after what this one waited for
            } else {
                seenErr = errText.toString().indexOf(until, fromErr) + until.length();
            }
            if (errHeld.getCount() == 0 && errRelease.getCount() > 0) {
                // The console is held in its println, between two reads, with the terminal out of raw mode: there a real
                // terminal's Ctrl-C is a SIGINT to the console, which JLine raises on the terminal (a pty opened here has
                // no process to signal, so its kernel would drop the key).
                assertEquals(CTRL_C, steps[i + 1], "only a Ctrl-C is pressed while the console is held");
                terminal.get().raise(Terminal.Signal.INT);
                errRelease.countDown();
                continue;
            }
            keys.write(steps[i + 1].getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }
        errRelease.countDown();
        if (!status.isDone()) {
            keys.write(4); // Ctrl-D at the prompt: the console ends
            keys.flush();
        }
        int s;
        try {
            s = status.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // What the console was doing when it did not end: the screen, the error output and where its thread waits.
            StringBuilder where = new StringBuilder();
            for (StackTraceElement f : console.getStackTrace()) {
                where.append("\n    at ").append(f);
            }
            throw new AssertionError("the console did not end within 60 s of the last key; screen:\n"
                    + screen.toString(StandardCharsets.UTF_8) + "\nerr:\n" + errText + "\nconsole thread:" + where, e);
        }
        keys.close();
        return new Typed(s, screen.toString(StandardCharsets.UTF_8), errText.toString());
    }

    private static void assertNoLocksLeft(Workspace ws) throws Exception {
        try (Stream<Path> files = Files.list(ws.dir().resolve("data"))) {
            List<Path> locks = files.filter(p -> p.getFileName().toString().endsWith(".sluice-lock")).toList();
            assertEquals(List.of(), locks, "no run lock file is left beside the tiers");
        }
    }

    private ObjectNode lastEvent() throws Exception {
        Path journal = TestWorkspaces.onlyJournal(tmp);
        List<ObjectNode> events = JournalFile.read(journal, false).events(); // refuses a journal cut short or unsealed
        return events.get(events.size() - 1);
    }

    private static String checksum(Workspace ws, String tier) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.checksum("items").sha256();
        }
    }

    private record Typed(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        String log() {
            return "screen:\n" + out + "\nerr:\n" + err;
        }
    }
}
