package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.console.Console;
import dev.sluice.console.EvalListener;
import dev.sluice.console.commands.StandardCommands;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.JournalRunListener;
import dev.sluice.journal.Recording;
import dev.sluice.journal.ReplayResult;
import dev.sluice.journal.Replayer;
import dev.sluice.journal.RunReplayer;
import dev.sluice.playbook.RunListener;
import dev.sluice.playbook.groovy.PlaybookLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "replay", mixinStandardHelpOptions = true, description = {
        "Replay a recorded session or run as a runbook, stopping with exit status 1 at the first observation that differs.",
        "Checks the journal's hash chain and the workspace fingerprint, then re-executes every input (a run's steps with their",
        "recorded decisions).",
        "Example: sluice replay -w /tmp/prod sessions/20261121-101500-000-ana.jsonl --report replay.html"})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "FILE", description = "The journal (.jsonl) to replay.")
    Path file;

    @Option(names = "--step", description = "Ask before each input or step, like a runbook walked through.")
    boolean step;

    @Option(names = "--yes", description = "Go on even when the workspace fingerprint differs from the recording's.")
    boolean yes;

    @Option(names = "--until", paramLabel = "SEQ", description = "Stop after the event with this sequence number.")
    Long until;

    @Option(names = "--force", description = "Replay a journal whose hash chain is broken or that was cut short, up to that point.")
    boolean force;

    @Option(names = "--playbook", paramLabel = "FILE", description = "For a recorded run: the playbook to use (default: the recorded path).")
    Path playbook;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a report of the replay: FILE.html (self-contained) or FILE.md.")
    Path report;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path journalPath = file.isAbsolute() || file.toFile().exists() ? file : workspace.dir().resolve(file);
        JournalFile jf = JournalFile.read(journalPath, force);
        if (jf.problem() != null) {
            out.println("warning: " + jf.problem() + "; replaying only what comes before line " + jf.doubtFrom()
                    + ", the first the hash chain does not vouch for (--force).");
        }
        String kind = jf.header().path("kind").asText();
        BufferedReader answers = new BufferedReader(new InputStreamReader(Main.input(), StandardCharsets.UTF_8));
        Replayer.Asker asker = question -> {
            out.print(question + " [y/N] ");
            out.flush();
            try {
                String a = answers.readLine();
                return a != null && a.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
            } catch (IOException e) {
                return false;
            }
        };
        Path replayJournal = null;
        boolean finished = false;
        try {
            try (Session session = Session.open(workspace.dir()); Recording rec = Recording.start(session, "replay")) {
                replayJournal = rec.journal().file();
                int status = replay(jf, kind, session, rec, asker, out);
                finished = true;
                return status;
            }
        } finally {
            if (report != null && replayJournal != null) {
                try {
                    out.println("Report written to " + dev.sluice.report.Report.write(JournalFile.read(replayJournal, true), report));
                } catch (SluiceException e) {
                    if (finished) {
                        throw e; // else the replay's own error is the one to show
                    }
                }
            }
        }
    }

    private int replay(JournalFile jf, String kind, Session session, Recording rec, Replayer.Asker asker, PrintWriter out) {
        out.println("Replaying " + jf.path() + " (" + kind + " recorded by " + jf.header().path("user").asText() + " at "
                + dev.sluice.tier.Format.time(jf.header().path("start").asText()) + ") on " + session.workspace().dir());
        session.useEvents(new dev.sluice.console.TerminalEvents(out::println)); // notes where the replayed console prints
        rec.status(ErrorCode.FAILURE.exitStatus()); // until the replay finishes: one that dies says so in its journal
        List<String> diffs = Replayer.fingerprintDifferences(jf, rec.fingerprints()); // counted once, for this replay's own header
        rec.journal().replay("start", replayed(jf, diffs));
        // A console closed before its background counts finished recorded no counts: say so, never compare them as zero.
        jf.countsNotRecorded().forEach(n -> out.println("Note: " + n + "."));
        try {
            if (!diffs.isEmpty()) {
                out.println("The workspace differs from the recording's:");
                diffs.forEach(d -> out.println("  " + d));
                if (!(yes || (step && asker.ask("Replay anyway?")))) {
                    out.println("Not replayed: use --yes to replay anyway, or --step to decide.");
                    rec.journal().replay("result", JsonNodeFactory.instance.objectNode()
                            .put("outcome", "refused").put("reason", "the workspace differs from the recording's; --yes replays anyway"));
                    return ErrorCode.FAILURE.exitStatus();
                }
            }
            ReplayResult result;
            if (kind.equals("run")) {
                RunListener listener = RunListener.all(List.of(new RunListenerPrinter(out), new JournalRunListener(rec.journal())));
                result = new RunReplayer(jf, session, asker, step, listener).until(until == null ? -1 : until).run(PlaybookLoader::load, playbook);
            } else {
                result = replayConsole(jf, session, asker, out, rec);
            }
            if (result.ok() && result.inputs() == 0) {
                // A replay that ran nothing checked nothing: it must not read as a pass.
                result = new ReplayResult(0, 0, null, true, "the journal holds no " + (kind.equals("run") ? "decided step" : "input")
                        + " to replay" + (until == null ? "" : " up to seq " + until) + ", so nothing was checked.");
            }
            out.println(result);
            int status = result.ok() ? 0 : ErrorCode.FAILURE.exitStatus();
            rec.status(status);
            rec.journal().replay("result", result.toJson());
            if (result.divergence() != null) {
                rec.journal().error("Divergence", result.divergence().toString());
            }
            out.flush();
            return status;
        } catch (SluiceException e) {
            rec.journal().error(e.kind(), e.getMessage());
            rec.status(e.code().exitStatus());
            throw e;
        }
    }

    /** The replay event's start: which journal is replayed, what it recorded, and how today's workspace differs from it. */
    private static ObjectNode replayed(JournalFile jf, List<String> diffs) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("journal", jf.path().toAbsolutePath().normalize().toString());
        for (String f : List.of("kind", "user", "host", "start", "zone", "workspace", "sluice")) {
            if (jf.header().has(f)) {
                o.set(f, jf.header().get(f));
            }
        }
        if (jf.problem() != null) {
            o.put("problem", jf.problem());
        }
        o.set("fingerprintDifferences", JsonNodeFactory.instance.arrayNode()
                .addAll(diffs.stream().map(JsonNodeFactory.instance::textNode).toList()));
        return o;
    }

    private ReplayResult replayConsole(JournalFile jf, Session session, Replayer.Asker asker, PrintWriter out, Recording rec) {
        PrintStream ps = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(new String(b, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                out.flush();
            }
        }, true, StandardCharsets.UTF_8);
        // What each replayed input shows goes to this replay's own journal and to the replayer, which compares it.
        Replayer[] replayer = {null};
        EvalListener compare = new EvalListener() {
            @Override
            public void shown(Object value, boolean marked) {
                if (replayer[0] != null) {
                    replayer[0].shown(value, marked);
                }
            }
        };
        Console.Options opts = StandardCommands.options().withVerbose(Main.verbose).withListener(new JournalBridge(rec.journal()))
                .withListener(compare);
        try (Console console = Console.onStreams(session, new StringReader(""), ps, ps, opts)) {
            Replayer.Executor exec = (k, text) -> {
                out.println("» " + text.strip().replace("\n", "\n  "));
                boolean ok = k.equals("groovy") ? console.evaluate("/groovy " + text) : console.evaluate(text);
                ps.flush();
                if (!ok) {
                    throw new SluiceException(ErrorCode.FAILURE, "the input failed");
                }
            };
            replayer[0] = new Replayer(jf, session, exec, asker, out, step, yes, until == null ? -1 : until);
            return replayer[0].run();
        }
    }
}
