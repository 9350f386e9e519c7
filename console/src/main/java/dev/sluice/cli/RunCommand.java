package dev.sluice.cli;

import dev.sluice.console.Console;
import dev.sluice.console.commands.StandardCommands;
import dev.sluice.console.playbook.ConsoleInspector;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalRunListener;
import dev.sluice.journal.Recording;
import dev.sluice.playbook.RunListener;
import java.util.List;
import dev.sluice.playbook.LineDecider;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.RunMode;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.RunSummary;
import dev.sluice.playbook.StepRunner;
import dev.sluice.playbook.groovy.PlaybookLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Run a Groovy playbook one transactional step at a time: each step's changes are shown before anything is committed.",
        "Step mode asks commit / rollback / inspect / skip / quit (inspect opens the console inside the step, uncommitted rows visible);",
        "--yes commits when every expectation holds; --dry-run rolls every step back; --rehearse runs it on throwaway copies first.",
        "Example: sluice run playbooks/tour.groovy -w /tmp/sluice-demo -p status=open"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook file (.groovy).")
    Path playbook;

    @Option(names = "--yes", description = "Commit each step when every expectation holds; otherwise roll it back and exit 11.")
    boolean yes;

    @Option(names = "--dry-run", description = "Run every step and roll every one back: the tiers stay byte-identical.")
    boolean dryRun;

    @Option(names = "--rehearse", description = "Run the whole playbook first on throwaway copies of every tier (as --yes, committed there); "
            + "if it passes, ask (--yes: don't) and run it on the live tiers, each step committed only if it sees what the rehearsal saw.")
    boolean rehearse;

    @Option(names = "--list", description = "List the steps as a table: state (applied, pending, changed, partial), when, by whom, on which tiers, run id, checksum; run nothing.")
    boolean list;

    @Option(names = "--json", description = "With --list: the same as JSON (times as stored, ISO-8601 UTC; whole checksums).")
    boolean json;

    @Option(names = "--start-at", paramLabel = "STEP", description = "Start at this step.")
    String startAt;

    @Option(names = "--stop-after", paramLabel = "STEP", description = "Stop after this step.")
    String stopAfter;

    @Option(names = "--only", paramLabel = "STEP", description = "Run only this step.")
    String only;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "Set a playbook parameter (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--no-journal", description = "Do not record this run in the workspace's journal folder.")
    boolean noJournal;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a report of the run from its journal: FILE.html (self-contained) or FILE.md.")
    Path report;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * The terminal's reader, one character at a time through timed reads. A plain blocking read holds JLine's input
     * lock while it waits, so a run cancelled at its question (Ctrl-C) could not close the terminal afterwards.
     */
    private static java.io.Reader polling(org.jline.utils.NonBlockingReader r) {
        return new java.io.Reader() {
            @Override
            public int read(char[] buf, int off, int len) throws java.io.IOException {
                if (len == 0) {
                    return 0;
                }
                int c;
                do {
                    c = r.read(100L);
                } while (c == org.jline.utils.NonBlockingReader.READ_EXPIRED);
                if (c < 0) {
                    return -1;
                }
                buf[off] = (char) c;
                return 1;
            }

            @Override
            public void close() {
                // the terminal owns its reader
            }
        };
    }

    @Override
    public Integer call() throws java.io.IOException {
        if (report != null && noJournal) {
            throw new SluiceException(ErrorCode.USAGE, "--report is written from the run's journal: drop --no-journal to have one.");
        }
        if (json && !list) {
            throw new SluiceException(ErrorCode.USAGE, "--json goes with --list (sluice run PLAYBOOK --list --json).");
        }
        if (yes && dryRun) {
            throw new SluiceException(ErrorCode.USAGE, "--yes and --dry-run exclude each other: choose to commit or to roll back.");
        }
        if (rehearse && (dryRun || list || noJournal)) {
            throw new SluiceException(ErrorCode.USAGE, "--rehearse " + (noJournal ? "applies what the rehearsal's journal recorded, so it needs a journal: drop --no-journal."
                    : "already leaves the live tiers untouched until the rehearsal passes: drop " + (dryRun ? "--dry-run." : "--list.")));
        }
        if (rehearse && !yes) {
            StepAnswers.requireSome("--rehearse asks 'apply to the live tiers?' once the rehearsal passes",
                    "Add --yes to apply a passing rehearsal without asking.");
        } else if (!yes && !dryRun && !list) {
            StepAnswers.requireSome(); // step mode with no terminal and nothing on stdin (cron, CI): refused before anything runs
        }
        PrintWriter out = spec.commandLine().getOut();
        if (rehearse) {
            return new Rehearsal(workspace.dir(), playbook, startAt, stopAfter, only, params, yes, report, out, spec.commandLine().getErr()).run();
        }
        // Listing and dry runs load only the declarations: code outside the steps must not act when nothing is to change.
        Playbook pb = list || dryRun ? PlaybookLoader.loadDeclarations(playbook) : PlaybookLoader.load(playbook);
        if (!list) {
            PlaybookSession.refuseIfLockedBeforeOpening(dev.sluice.workspace.Workspace.load(workspace.dir()), pb);
        }
        try (Session session = Session.open(workspace.dir())) {
            session.useEvents(new dev.sluice.console.TerminalEvents(spec.commandLine().getErr()::println)); // copy notes, backfill progress
            if (list) {
                // What a run would check first, checked now (read-only); --list itself succeeds either way.
                var report = PlaybookSession.preconditions(session, pb, new RunOptions(RunMode.STEP, startAt, stopAfter, only, params));
                StepList.print(out, pb, PlaybookSession.statuses(session, pb), report, json);
                return 0;
            }
            RunMode mode = yes ? RunMode.YES : dryRun ? RunMode.DRY_RUN : RunMode.STEP;
            // On a terminal the answers and the inspect console share one JLine terminal, so neither reads ahead of the other.
            try (Terminal terminal = mode == RunMode.STEP && Main.input() == System.in && ConsoleOptions.interactive()
                    ? TerminalBuilder.builder().system(true).build() : null) {
                BufferedReader in = new BufferedReader(terminal != null ? polling(terminal.reader())
                        : new InputStreamReader(Main.input(), StandardCharsets.UTF_8));
                LineDecider decider = terminal != null ? new LineDecider(in, out) : new LineDecider(in, out, StepAnswers.ADVICE);
                RunListenerPrinter printer = new RunListenerPrinter(out);
                Recording rec = noJournal ? null : Recording.start(session, "run");
                JournalRunListener journaled = rec == null ? null : new JournalRunListener(rec.journal());
                RunListener listener = rec == null ? printer : RunListener.all(List.of(printer, journaled));
                RunOptions options = new RunOptions(mode, startAt, stopAfter, only, params);
                int status = ErrorCode.FAILURE.exitStatus();
                try (PlaybookSession run = PlaybookSession.start(session, pb, options, decider, listener);
                     RunGuard guard = RunGuard.install(run, rec, terminal, spec.commandLine().getErr())) {
                    Console.Options console = StandardCommands.options().withVerbose(Main.verbose);
                    if (rec != null) {
                        console = console.withListener(new JournalBridge(rec.journal())); // what the operator does while inspecting
                    }
                    ConsoleInspector inspector = terminal != null ? ConsoleInspector.onTerminal(run, terminal, console)
                            : ConsoleInspector.onStreams(run, in, ConsoleOptions.stream(out, System.out),
                            ConsoleOptions.stream(spec.commandLine().getErr(), System.err), console);
                    RunSummary summary = new StepRunner(run, decider, inspector, listener).run();
                    status = summary.exitStatus();
                    if (summary.ending() == RunSummary.Ending.CANCELLED) {
                        guard.cancelled(summary.message()); // the one line on stderr; the journal's end says cancelled
                    }
                    return status;
                } catch (SluiceException e) {
                    if (rec != null) {
                        journaled.refused(pb, options); // a run refused before it started still names its playbook
                        rec.journal().error(e.kind(), e.getMessage());
                    }
                    status = e.code().exitStatus();
                    throw e;
                } finally {
                    if (rec != null) {
                        rec.status(status);
                        rec.close();
                        if (report != null) {
                            out.println("Report written to " + dev.sluice.report.Report.write(dev.sluice.journal.JournalFile.read(rec.journal().file(), true), report));
                        }
                    }
                }
            }
        }
    }
}
