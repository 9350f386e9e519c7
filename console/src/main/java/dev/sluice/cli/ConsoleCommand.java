package dev.sluice.cli;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.snapshot.Sandbox;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "console", mixinStandardHelpOptions = true, description = {
        "Open the interactive console (JShell with the DSL and one variable per tier) on a workspace.",
        "Without a terminal, or with -f/-e, it evaluates a script: no prompts, exit status 1 at the first error.",
        "Examples: sluice console -w /tmp/sluice-demo",
        "          sluice console -w /tmp/sluice-demo -e 'tier1.count(\"conversations\")'",
        "          sluice console -w /tmp/sluice-demo --sandbox    (on throwaway copies of every tier)"})
final class ConsoleCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Mixin
    ConsoleOptions console;

    @Option(names = "--sandbox", description = "Work on throwaway copies of every tier (SQLite files, PostgreSQL scratch databases), dropped on exit.")
    boolean sandbox;

    @Option(names = "--keep", paramLabel = "DIR", description = "With --sandbox: make the SQLite copies in DIR and keep them (and any scratch databases) after exit.")
    Path keep;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (keep != null && !sandbox) {
            throw new SluiceException(ErrorCode.USAGE, "--keep DIR keeps sandbox copies, so it needs --sandbox. Example: sluice console --sandbox --keep /tmp/try");
        }
        if (sandbox) {
            return inSandbox();
        }
        dev.sluice.console.Console.warmUp(); // JShell's compiler warms up while the tiers open
        try (Session session = Session.openKeepingDamaged(workspace.dir())) { // integrity() and restore must reach a damaged tier
            dev.sluice.journal.Recording.trace("session: open");
            return console.open(session, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    /** The console on sandbox copies: made before it opens, dropped (or kept) after every tier has closed. */
    private int inSandbox() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Workspace live = Workspace.load(workspace.dir());
        dev.sluice.console.Console.warmUp(); // JShell's compiler warms up while the tiers are copied
        int status;
        Sandbox sb = keep == null ? Sandbox.open(live) : Sandbox.open(live, keep, true);
        // SIGTERM, SIGHUP or Ctrl-C on a pipe end the JVM through exit: the copies go then too.
        Thread dropOnExit = new Thread(() -> {
            try {
                sb.close();
            } catch (RuntimeException e) {
                // the JVM is ending; the copies' place was printed when they were made
            }
        }, "sluice-sandbox-drop");
        Runtime.getRuntime().addShutdownHook(dropOnExit);
        Runnable dropBeforeHalt = sb::close; // a signal with a /next step open halts the JVM, and a halt runs no hook
        ConsoleGuard.BEFORE_HALT.add(dropBeforeHalt);
        try {
            Rehearsal.saySwept(sb, err);
            err.println("SANDBOX: the console works on copies of " + String.join(", ", live.tiers().keySet()) + " ("
                    + where(sb) + "); nothing done here reaches the live tiers.");
            err.flush();
            try (Session session = Session.openKeepingDamaged(sb.workspace())) {
                status = console.open(session, spec.commandLine().getOut(), err, true);
            }
        } finally {
            ConsoleGuard.BEFORE_HALT.remove(dropBeforeHalt);
            try {
                Runtime.getRuntime().removeShutdownHook(dropOnExit);
            } catch (IllegalStateException e) {
                // already shutting down: the hook drops them
            }
            sb.close();
        }
        err.println(sb.kept() ? "SANDBOX: copies kept: " + where(sb) + "." : "SANDBOX: copies dropped; the live tiers are as they were.");
        err.flush();
        return status;
    }

    private static String where(Sandbox sb) {
        List<String> parts = new ArrayList<>();
        if (!sb.files().isEmpty()) {
            parts.add("files in " + sb.dir());
        }
        sb.databases().forEach(d -> parts.add("database " + d.name() + " for " + d.tier()));
        return String.join(", ", parts);
    }
}
