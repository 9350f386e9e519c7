package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sluice} command: picocli wiring, one class per subcommand, and the one-line error policy. */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Step-by-step migration console for multi-tier databases.",
        subcommands = {InitCommand.class, DemoCommand.class, StatusCommand.class, SnapshotCommand.class,
                SnapshotsCommand.class, RestoreCommand.class, CopyCommand.class, DiffCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces with errors.")
    static boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit status; tests call this. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        verbose = false;
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
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
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage() + ". See '" + c.getCommandSpec().qualifiedName() + " --help'.");
            c.getErr().flush();
            return ErrorCode.USAGE.exitStatus();
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
