package dev.sluice.cli;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.JournalRunListener;
import dev.sluice.journal.Recording;
import dev.sluice.journal.RunReplayer;
import dev.sluice.playbook.LineDecider;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.RunListener;
import dev.sluice.playbook.RunMode;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.RunSummary;
import dev.sluice.playbook.StepRunner;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.snapshot.Sandbox;
import dev.sluice.workspace.Workspace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code sluice run PLAYBOOK --rehearse}: the whole playbook first runs on sandbox copies of every tier with
 * {@code --yes} semantics (committed there, non-transactional actions included), recorded in its own journal; then, once
 * the operator agrees (or under {@code --yes}), the live run is decided by that journal as a replay is: each step runs on
 * the live tiers and commits only when its counts, checksums and expectations are those the rehearsal saw. A failing
 * rehearsal leaves the live tiers untouched: nothing but reading them for the copies happened to them.
 */
final class Rehearsal {
    private static final String PREFIX = "REHEARSAL │ ";

    private final Path workspaceDir;
    private final Path playbook;
    private final RunOptions selection;
    private final boolean yes;
    private final Path report;
    private final PrintWriter out;
    private final PrintWriter err;

    Rehearsal(Path workspaceDir, Path playbook, String startAt, String stopAfter, String only, Map<String, String> params, boolean yes,
              Path report, PrintWriter out, PrintWriter err) {
        this.workspaceDir = workspaceDir;
        this.playbook = playbook;
        this.selection = new RunOptions(RunMode.YES, startAt, stopAfter, only, params);
        this.yes = yes;
        this.report = report;
        this.out = out;
        this.err = err;
    }

    /** The rehearsal's outcome: its summary, its journal, and how long it took (copies included). */
    private record Rehearsed(RunSummary summary, Path journal, long nanos) {
    }

    int run() throws IOException {
        Workspace live = Workspace.load(workspaceDir);
        Playbook pb = PlaybookLoader.load(playbook);
        PlaybookSession.refuseIfLockedBeforeOpening(live, pb);
        if (PlaybookSession.unsettledSteps(live)) {
            // The sandbox has its own run state, so a rehearsal would never see it, and applying could not settle it.
            throw new SluiceException(ErrorCode.USAGE, "A step of an earlier run is applied on some tiers only (" + live.stateDir().resolve("intents")
                    + "): settle it first with 'sluice run " + playbook + "' or 'sluice repair', then rehearse.");
        }
        // What a run checks before it starts is checked on the live tiers (read only) before anything is copied: a typo
        // in -p, a missing table or parameter costs no copy of every tier.
        try (Session session = Session.open(live)) {
            dev.sluice.playbook.PreconditionReport report = PlaybookSession.preconditions(session, pb, selection);
            if (!report.holds()) {
                throw new SluiceException(ErrorCode.PRECONDITION, report.failureMessage(false));
            }
        }
        Rehearsed r = rehearse(live, pb);
        RunSummary s = r.summary();
        String took = seconds(r.nanos());
        if (s.ending() == RunSummary.Ending.CANCELLED) {
            return s.exitStatus(); // the one line on stderr said what was rolled back
        }
        if (s.ending() != RunSummary.Ending.DONE || s.exitStatus() != 0) {
            out.println("Rehearsal failed (" + took + "): " + s.message());
            out.println("Nothing was applied: the live tiers were not touched. The rehearsal's journal: " + r.journal() + ".");
            out.flush();
            return s.exitStatus() == 0 ? ErrorCode.FAILURE.exitStatus() : s.exitStatus();
        }
        if (s.committed() == 0) {
            out.println("Rehearsal (" + took + "): every selected step is already applied; nothing to apply.");
            out.flush();
            return 0;
        }
        String passed = "Rehearsal passed (" + s.committed() + (s.committed() == 1 ? " step, " : " steps, ") + took + ")";
        if (yes) {
            out.println(passed + ": applying to the live tiers (--yes).");
        } else {
            out.print(passed + ": apply to the live tiers? [y/N] ");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(Main.input(), StandardCharsets.UTF_8)).readLine();
            if (answer == null) {
                out.println();
                out.flush();
                throw new SluiceException(ErrorCode.USAGE, "No answer to 'apply to the live tiers?' (the input ended): nothing was applied. "
                        + "Add --yes to apply a passing rehearsal without asking.");
            }
            if (!answer.strip().equalsIgnoreCase("y") && !answer.strip().equalsIgnoreCase("yes")) {
                out.println("Not applied: the live tiers were not touched. The rehearsal's journal: " + r.journal() + ".");
                out.flush();
                return 0;
            }
        }
        out.flush();
        return apply(r);
    }

    /** One line naming the sandbox folders of killed processes that making {@code sb} removed, if any. */
    static void saySwept(Sandbox sb, PrintWriter out) {
        if (!sb.swept().isEmpty()) {
            out.println("removed " + sb.swept().size() + " sandbox folder(s) left by a process that no longer runs (killed before it could drop them): "
                    + sb.swept().stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")));
            out.flush();
        }
    }

    /** Runs the playbook on sandbox copies under --yes, recorded, and drops the copies. */
    private Rehearsed rehearse(Workspace live, Playbook pb) throws IOException {
        long start = System.nanoTime();
        PrintWriter tagged = new PrintWriter(new Prefixed(out, PREFIX), true);
        Sandbox sb = Sandbox.open(live);
        Thread dropOnExit = new Thread(() -> {
            try {
                sb.close();
            } catch (RuntimeException e) {
                // the JVM is ending; the copies are in a temporary folder
            }
        }, "sluice-rehearsal-drop");
        Runtime.getRuntime().addShutdownHook(dropOnExit);
        Runnable dropBeforeHalt = sb::close; // a run that ends by halting (a stuck cancel) runs no shutdown hook
        ConsoleGuard.BEFORE_HALT.add(dropBeforeHalt);
        Path journal;
        RunSummary summary;
        saySwept(sb, tagged);
        try (Session session = Session.open(sb.workspace())) {
            tagged.println("on copies of " + String.join(", ", live.tiers().keySet()) + " (" + seconds(System.nanoTime() - start)
                    + " to copy); nothing done here reaches the live tiers.");
            session.useEvents(new dev.sluice.console.TerminalEvents(tagged::println));
            Recording rec = Recording.start(session, "run", true);
            journal = rec.journal().file();
            RunListener listener = RunListener.all(List.of(new RunListenerPrinter(tagged), new JournalRunListener(rec.journal())));
            LineDecider never = new LineDecider(new BufferedReader(new java.io.StringReader("")), tagged); // --yes asks nothing
            int status = ErrorCode.FAILURE.exitStatus();
            try (PlaybookSession run = PlaybookSession.start(session, pb, selection, never, listener);
                 RunGuard guard = RunGuard.install(run, rec, null, err)) {
                summary = new StepRunner(run, never, null, listener).run();
                status = summary.exitStatus();
                if (summary.ending() == RunSummary.Ending.CANCELLED) {
                    guard.cancelled("Rehearsal " + Character.toLowerCase(summary.message().charAt(0)) + summary.message().substring(1)
                            + "; nothing was applied to the live tiers");
                }
            } catch (SluiceException e) {
                rec.journal().error(e.kind(), e.getMessage());
                status = e.code().exitStatus();
                throw new SluiceException(e.code(), "Rehearsal: " + e.getMessage() + " Nothing was applied: the live tiers were not touched.", e);
            } finally {
                rec.status(status);
                rec.close();
                writeReport(rec.journal().file(), rehearsalReport());
            }
        } finally {
            ConsoleGuard.BEFORE_HALT.remove(dropBeforeHalt);
            try {
                Runtime.getRuntime().removeShutdownHook(dropOnExit);
            } catch (IllegalStateException e) {
                // already shutting down: the hook drops them
            }
            try {
                sb.close();
            } catch (SluiceException e) {
                err.println("warning: " + e.getMessage()); // the rehearsal's own outcome still stands
                err.flush();
            }
        }
        tagged.flush();
        return new Rehearsed(summary, journal, System.nanoTime() - start);
    }

    /** The live run, decided step by step by the rehearsal's journal. */
    private int apply(Rehearsed r) throws IOException {
        long start = System.nanoTime();
        Playbook pb = PlaybookLoader.load(playbook); // loaded again: a step edited since the rehearsal is a difference, caught per step
        JournalFile rehearsed = JournalFile.read(r.journal(), true);
        try (Session session = Session.open(workspaceDir)) {
            session.useEvents(new dev.sluice.console.TerminalEvents(err::println));
            RunReplayer.Check check = new RunReplayer(rehearsed, session, null, false, null).check();
            Recording rec = Recording.start(session, "run");
            List<String> drift = dev.sluice.journal.Replayer.fingerprintDifferences(rehearsed, rec.fingerprints());
            if (!drift.isEmpty()) {
                out.println("The live tiers changed since the rehearsal copied them; nothing was applied:");
                drift.forEach(d -> out.println("  " + d));
                out.println("Rehearse again to rehearse on today's data.");
                rec.journal().error("Divergence", "the live tiers changed since the rehearsal copied them: " + String.join("; ", drift));
                rec.status(ErrorCode.FAILURE.exitStatus());
                rec.close();
                out.flush();
                return ErrorCode.FAILURE.exitStatus();
            }
            RunListenerPrinter printer = new RunListenerPrinter(out).decidedBy("as rehearsed: each step commits only if it sees what the rehearsal saw");
            RunListener listener = RunListener.all(List.of(check, printer, new JournalRunListener(rec.journal())));
            listener.note("applying the rehearsal recorded in " + r.journal().getFileName());
            int status = ErrorCode.FAILURE.exitStatus();
            check.watch(session);
            try (PlaybookSession run = PlaybookSession.start(session, pb, check.options(), check, listener);
                 RunGuard guard = RunGuard.install(run, rec, null, err)) {
                RunSummary s = new StepRunner(run, check, null, listener).run();
                var result = check.result(s);
                if (s.ending() == RunSummary.Ending.CANCELLED) {
                    guard.cancelled(s.message());
                    status = s.exitStatus();
                    return status;
                }
                out.println();
                if (result.divergence() != null) {
                    out.println("Live run stopped: a step saw something other than the rehearsal did, and was rolled back before it committed.");
                    out.println(result.divergence());
                    out.println(s.committed() + " step(s) committed before it stay committed. Rehearse again to see today's data.");
                    rec.journal().error("Divergence", result.divergence().toString());
                    status = ErrorCode.FAILURE.exitStatus();
                } else {
                    out.println(s);
                    out.println("Applied as rehearsed: " + s.committed() + " step(s) in " + seconds(System.nanoTime() - start)
                            + " (the rehearsal took " + seconds(r.nanos()) + ").");
                    status = s.exitStatus();
                }
                return status;
            } catch (SluiceException e) {
                rec.journal().error(e.kind(), e.getMessage());
                status = e.code().exitStatus();
                throw e;
            } finally {
                check.unwatch(session);
                rec.status(status);
                rec.close();
                out.flush();
                writeReport(rec.journal().file(), report);
            }
        }
    }

    private void writeReport(Path journal, Path to) {
        if (to != null) {
            out.println("Report written to " + dev.sluice.report.Report.write(JournalFile.read(journal, true), to));
        }
    }

    /** Where the rehearsal's report goes: beside the live run's, {@code NAME.rehearsal.EXT}. */
    private Path rehearsalReport() {
        if (report == null) {
            return null;
        }
        String name = report.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return report.resolveSibling(dot < 0 ? name + ".rehearsal" : name.substring(0, dot) + ".rehearsal" + name.substring(dot));
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** Starts every line written through it with a prefix, so no line of a rehearsal can be taken for the live run's. */
    private static final class Prefixed extends Writer {
        private final PrintWriter to;
        private final String prefix;
        private boolean lineStart = true;

        Prefixed(PrintWriter to, String prefix) {
            this.to = to;
            this.prefix = prefix;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (lineStart) {
                    to.write(prefix);
                    lineStart = false;
                }
                to.write(buf[i]);
                if (buf[i] == '\n') {
                    lineStart = true;
                }
            }
        }

        @Override
        public void flush() {
            to.flush();
        }

        @Override
        public void close() {
            to.flush();
        }
    }
}
