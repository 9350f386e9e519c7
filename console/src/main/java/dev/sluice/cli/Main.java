package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sluice} command: picocli wiring, one class per subcommand, and the one-line error policy. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Step-by-step migration console for multi-tier databases.")
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** Every subcommand, in the order {@code sluice --help} lists them. */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(InitCommand.class, DemoCommand.class,
            ConsoleCommand.class, StatusCommand.class, SnapshotCommand.class, SnapshotsCommand.class, RestoreCommand.class,
            RunCommand.class, RepairCommand.class, UnlockCommand.class, ReplayCommand.class, ExportCommand.class, ReportCommand.class,
            CopyCommand.class, DiffCommand.class, BenchCommand.class, CommandLine.HelpCommand.class);

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces with errors.")
    static boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The writers wrapping the process' own stdout/stderr (the console then writes to those streams directly). */
    static PrintWriter processOut;
    static PrintWriter processErr;

    public static void main(String[] args) {
        if (Boolean.getBoolean("sluice.debug.startup")) {
            dev.sluice.journal.Recording.traceTo(System.err::println);
        }
        dev.sluice.journal.Recording.trace("main");
        processOut = new PrintWriter(System.out, true);
        processErr = new PrintWriter(System.err, true);
        int status = run(args, processOut, processErr);
        // The launcher trains its AppCDS archive in a run it marks with this property, and keeps the archive the JVM
        // writes at exit only if that run ended well: a console that failed early would train a poor one.
        String trained = System.getProperty("sluice.cds.trained");
        if (status == 0 && trained != null && !shuttingDown()) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(trained), "ok\n");
            } catch (java.io.IOException | RuntimeException e) {
                // no archive this time; the next console run trains one
            }
        }
        dev.sluice.journal.Recording.trace("main: exit");
        System.exit(status);
    }

    /** True once the JVM is shutting down (a signal): a console ending then did not end well, whatever it returned. */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Where step mode reads the operator's answers (stdin unless a test gives its own). */
    private static volatile java.io.InputStream input = System.in;

    static java.io.InputStream input() {
        return input;
    }

    /** The same answers, read through {@code in} from now on (step mode peeks stdin before a run: {@link StepAnswers}). */
    static void useInput(java.io.InputStream in) {
        input = in;
    }

    /** Runs the CLI with the given streams and returns the exit status; tests call this. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, System.in, out, err);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, reading answers (step mode, inspect) from {@code in}. */
    public static int run(String[] args, java.io.InputStream in, PrintWriter out, PrintWriter err) {
        input = in;
        verbose = false;
        CommandLine cl = commandLine(out, err, args);
        return cl.execute(args);
    }

    /** The whole command tree (help, tests). */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, new String[0]);
    }

    /**
     * The command tree for {@code args}. picocli reflects over every option of every subcommand it is given, which costs
     * tens of milliseconds of each start; so when the first word names a subcommand (top-level options take no value),
     * only that one is registered. Anything else (no subcommand, {@code help}, a typo) gets the whole tree, so usage,
     * {@code sluice help X} and "did you mean" suggestions are unchanged.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String[] args) {
        // picocli looks for groovy.lang.Closure (annotations may hold closures) and so initialises the whole Groovy
        // runtime, about 60-250 ms of every start; no annotation here holds one, and playbooks start Groovy themselves.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = invoked(args);
        for (Class<?> c : only == null ? SUBCOMMANDS : java.util.List.of(only)) {
            cl.addSubcommand(c);
        }
        HelpSections.install(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            Throwable t = ex;
            if (t instanceof SluiceException se) {
                line.getErr().println("error: " + se.getMessage());
                if (verbose) {
                    se.printStackTrace(line.getErr());
                }
                line.getErr().flush();
                return se.code().exitStatus();
            }
            line.getErr().println("error: " + t.getClass().getSimpleName() + ": " + t.getMessage()
                    + (verbose ? "" : " (run again with --verbose for the stack trace)"));
            if (verbose) {
                t.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return ErrorCode.FAILURE.exitStatus();
        });
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine c = ex.getCommandLine();
            // picocli words some messages "Error: …" already (argument groups): one "error:" is enough.
            String what = ex.getMessage().replaceFirst("^Error: ", "");
            if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                // picocli's suggestions: subcommands or options spelled close to the typo (sluice statuz → status)
                what += "; did you mean " + String.join(" or ", unmatched.getSuggestions().stream()
                        .map(s -> "'" + (s.startsWith("-") ? s : c.getCommandSpec().qualifiedName() + " " + s) + "'").toList()) + "?";
            }
            c.getErr().println("error: " + what + (what.endsWith("?") ? " See '" : ". See '") + c.getCommandSpec().qualifiedName() + " --help'.");
            c.getErr().flush();
            return ErrorCode.USAGE.exitStatus();
        });
        return cl;
    }

    private static Class<?> invoked(String[] args) {
        for (String a : args) {
            if (a.startsWith("-")) {
                continue;
            }
            for (Class<?> c : SUBCOMMANDS) {
                if (c != CommandLine.HelpCommand.class && a.equals(c.getAnnotation(Command.class).name())) {
                    return c;
                }
            }
            return null;
        }
        return null;
    }

    /** Bare {@code sluice}: the console when the current folder is a workspace, else the usage. */
    @Override
    public Integer call() throws Exception {
        java.nio.file.Path here = java.nio.file.Path.of(".");
        if (java.nio.file.Files.exists(here.resolve(dev.sluice.workspace.Workspace.JSON_FILE))
                || java.nio.file.Files.exists(here.resolve(dev.sluice.workspace.Workspace.YAML_FILE))) {
            dev.sluice.console.Console.warmUp();
            try (dev.sluice.dsl.Session session = dev.sluice.dsl.Session.open(here)) {
                return new ConsoleOptions().open(session, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
        }
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
