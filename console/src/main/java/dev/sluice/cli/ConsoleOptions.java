package dev.sluice.cli;

import dev.sluice.tier.TierInternals;

import dev.sluice.console.Console;
import dev.sluice.console.commands.JournalCommands;
import dev.sluice.console.commands.StandardCommands;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.journal.Recording;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Option;

/** The options of every command that opens the console ({@code console}, {@code demo}), and how it is opened. */
final class ConsoleOptions {
    @Option(names = "--startup", paramLabel = "FILE", description = "A startup script of your own, evaluated after scripts/startup.jsh (repeatable).")
    List<Path> startup = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Evaluate this script (Java and /commands) instead of reading a terminal.")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-e", "--eval"}, paramLabel = "SNIPPET", description = "Evaluate this snippet (after any -f) and exit (repeatable).")
    List<String> snippets = new ArrayList<>();

    @Option(names = "--keep-going", description = "In a script, go on after an error (the exit status is still 1).")
    boolean keepGoing;

    @Option(names = "--no-journal", description = "Do not record this session in the workspace's journal folder.")
    boolean noJournal;

    /** True when there is a script to run (-f or -e) rather than a terminal to talk to. */
    boolean scripted() {
        return !files.isEmpty() || !snippets.isEmpty();
    }

    /** Opens the console on {@code session}: a script (-f/-e), a terminal, or piped stdin. Returns the exit status. */
    int open(Session session, PrintWriter out, PrintWriter err) throws IOException {
        return open(session, out, err, false);
    }

    /** As {@link #open(Session, PrintWriter, PrintWriter)}; {@code sandbox}: the session's tiers are sandbox copies (prompt, banner, journal header say so). */
    int open(Session session, PrintWriter out, PrintWriter err, boolean sandbox) throws IOException {
        session.useEvents(new dev.sluice.console.TerminalEvents(err::println)); // copy notes, backfill progress
        Console.Options opts = StandardCommands.options().withVerbose(Main.verbose).withKeepGoing(keepGoing).withStartup(startup);
        if (sandbox) {
            // The sandbox's folder is a copy dropped on exit; what was typed there stays in the live workspace's history.
            opts = opts.inSandbox().withHistoryFile(session.workspace().configFile().resolveSibling(".sluice_history"));
        }
        if (noJournal) {
            warnDamaged(session, err); // a tier whose first page is damaged is known from its open
            return open(session, out, err, opts.withCommands(JournalCommands.of(null)), null);
        }
        // The header's row counts are taken in the background, as of this moment: start-up does not grow with the data.
        try (Recording rec = Recording.startCountingLater(session, "console", sandbox)) {
            opts = opts.withListener(new JournalBridge(rec)).withCommands(JournalCommands.of(rec.journal()));
            rec.status(1); // until the console returns normally: a session that died says so in its end event
            // Damage deeper than the schema shows when the background counts reach it: the same line then.
            rec.onDamage(t -> warnDamaged(t, err));
            warnDamaged(session, err);
            int status = open(session, out, err, opts, rec);
            rec.status(status);
            if (!scripted() && interactive() && status != ErrorCode.CANCELLED.exitStatus()) {
                out.println("Session recorded in " + rec.journal().file() + " (replay it with 'sluice replay FILE').");
            }
            return status;
        }
    }

    /** One line per tier the journal's fingerprint found damaged: the console still opens, so integrity() is at hand. */
    private static void warnDamaged(Session session, PrintWriter err) {
        for (dev.sluice.tier.Tier t : session.tiers()) {
            warnDamaged(t, err);
        }
    }

    private static void warnDamaged(dev.sluice.tier.Tier t, PrintWriter err) {
        if (TierInternals.damage(t) != null) {
            err.println("warning: tier '" + t.name() + "' (" + t.config().location() + ") is damaged (" + TierInternals.damage(t) + "); "
                    + t.name() + ".integrity() shows where, 'sluice restore NAME --tier " + t.name() + "' brings back a snapshot.");
            err.flush();
        }
    }

    private int open(Session session, PrintWriter out, PrintWriter err, Console.Options opts, Recording rec) throws IOException {
        boolean recording = rec != null;
        if (scripted()) {
            StringBuilder script = new StringBuilder();
            for (Path f : files) {
                script.append(Files.readString(f)).append('\n');
            }
            snippets.forEach(s -> script.append(s).append('\n'));
            return runScript(session, new StringReader(script.toString()), out, err, opts, rec);
        }
        if (interactive()) {
            out.println(recording ? "Recording this session in " + session.workspace().journalDir() + " (/journal shows where; --no-journal to not record)."
                    : "Not recording this session (--no-journal).");
            out.flush();
            try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
                return onTerminal(session, terminal, err, opts, rec, ConsoleGuard.SECOND_INTERRUPT);
            }
        }
        // Main.input() is stdin, or what a caller (a test, a replay) hands the CLI in its place.
        return runScript(session, new InputStreamReader(Main.input(), Charset.defaultCharset()), out, err, opts, rec);
    }

    /** The console on a terminal; 16 when Ctrl-C at the prompt rolled an open step back and ended it. */
    static int onTerminal(Session session, Terminal terminal, PrintWriter err, Console.Options opts, Recording rec,
                          java.time.Duration secondInterrupt) {
        try (Console console = Console.onTerminal(session, terminal, opts);
             ConsoleGuard guard = ConsoleGuard.install(console, rec, true, err, secondInterrupt)) {
            int status = console.run();
            return guard.cancelled() ? ErrorCode.CANCELLED.exitStatus() : status;
        }
    }

    private static int runScript(Session session, Reader in, PrintWriter out, PrintWriter err, Console.Options opts, Recording rec) {
        PrintStream o = stream(out, System.out);
        PrintStream e = stream(err, System.err);
        try (Console console = Console.onStreams(session, in, o, e, opts);
             ConsoleGuard guard = ConsoleGuard.install(console, rec, false, err)) {
            return console.run();
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** True when stdin and stdout are a terminal (on JDK 22+ System.console() exists even when redirected). */
    static boolean interactive() {
        return dev.sluice.tier.Format.onTerminal();
    }

    /** The process stream itself when picocli writes to it, else a stream into the writer (tests capture that). */
    static PrintStream stream(PrintWriter w, PrintStream process) {
        if (w == Main.processOut || w == Main.processErr) {
            return process;
        }
        return new PrintStream(new OutputStream() {
            private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                buf.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
            }

            @Override
            public synchronized void flush() {
                w.write(buf.toString(StandardCharsets.UTF_8));
                w.flush();
                buf.reset();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
