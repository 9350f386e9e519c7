package dev.sluice.console.playbook;

import dev.sluice.console.Console;
import dev.sluice.dsl.NonTransactional;
import dev.sluice.dsl.Session;
import dev.sluice.playbook.Inspector;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.StepContext;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.function.Function;
import org.jline.terminal.Terminal;

/**
 * "Inspect" in {@code sluice run}: the JShell console on the run's own session, so the step's open transactions and
 * uncommitted rows are right there. Leaving it ({@code /exit}, Ctrl-D, end of input) returns to the run's question with
 * the transactions untouched; a snippet may even write, and that is committed or rolled back with the step.
 */
public final class ConsoleInspector implements Inspector {
    private final PlaybookSession run;
    private final PrintStream out;
    private final Console.Options options;
    private final Function<Console.Options, Console> open;
    private final Terminal terminal;

    private ConsoleInspector(PlaybookSession run, PrintStream out, Console.Options options, Function<Console.Options, Console> open,
                             Terminal terminal) {
        this.run = run;
        this.out = out;
        this.options = options.leavingKeepsTransactions().withCommands(PlaybookCommands.inspecting(run));
        this.open = open;
        this.terminal = terminal;
    }

    /** Inspecting on a terminal: JLine, completion, Ctrl-C. */
    public static ConsoleInspector onTerminal(PlaybookSession run, Terminal terminal, Console.Options options) {
        PrintStream out = new PrintStream(terminal.output(), true, terminal.encoding());
        return new ConsoleInspector(run, out, options, o -> Console.onTerminal(run.session(), terminal, o), terminal);
    }

    /**
     * Inspecting from a stream of answers (a pipe, a test): the snippets come from {@code in}, the same reader the run's
     * questions read, up to {@code /exit}. An error does not end the inspection.
     */
    public static ConsoleInspector onStreams(PlaybookSession run, BufferedReader in, PrintStream out, PrintStream err, Console.Options options) {
        return new ConsoleInspector(run, out, options.withKeepGoing(true), o -> Console.onStreams(run.session(), in, out, err, o), null);
    }

    @Override
    public void inspect(Session session, StepContext step) {
        String name = step == null ? "?" : step.step().name();
        out.println("Inspecting step '" + name + "' in the console: same connections, its transactions still open, so snippets see the "
                + "uncommitted rows. /exit (or Ctrl-D) goes back to the question.");
        out.flush();
        NonTransactional before = step == null ? null
                : session.useNonTransactional(new OpenStepGate(step.step(), "Leave the console (/exit) and decide first"));
        // Ignored (not the OS default, which would end the JVM with the step open) until the console installs its own.
        Terminal.SignalHandler interrupt = terminal == null ? null : terminal.handle(Terminal.Signal.INT, Terminal.SignalHandler.SIG_IGN);
        try (Console console = open.apply(options)) {
            console.run();
        } finally {
            if (terminal != null) {
                terminal.handle(Terminal.Signal.INT, interrupt); // the console installed its own Ctrl-C handler
            }
            if (step != null) {
                session.useNonTransactional(before);
            }
        }
        out.println("Back to step '" + name + "'.");
        out.flush();
    }
}
