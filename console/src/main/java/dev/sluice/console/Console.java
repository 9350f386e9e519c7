package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.tier.Rows;
import dev.sluice.tier.Tier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import jdk.jshell.SourceCodeAnalysis;
import org.jline.terminal.Terminal;

/**
 * The console engine: a JShell session in-process on an open {@link Session}, with {@code /commands}, rendering for
 * people, one-line errors and cancellation. Front ends only choose where input comes from:
 * <ul>
 *   <li>{@link #onTerminal(Session, Terminal, Options)}: interactive, with JLine (history, completion, multi-line, Ctrl-C);</li>
 *   <li>{@link #onStreams(Session, Reader, PrintStream, PrintStream, Options)}: a script (pipe, {@code -f}, {@code -e}):
 *   no banner or prompts, stdout gets only what is evaluated, {@link #run()} returns 1 at the first error.</li>
 * </ul>
 * <p><b>Re-entry.</b> The playbook runner's "inspect" opens a console on the <em>same</em> live session (same
 * connections, a step's transaction still open): {@code Console.onTerminal(session, terminal,
 * Options.defaults().leavingKeepsTransactions()).run()} returns when the user types {@code /exit} or Ctrl-D, and
 * neither closes the session nor ends its transactions; the caller keeps owning both. The console binds the session
 * for the static DSL ({@link Sluice#bind}) on its JShell thread for its lifetime, and on the caller's thread while
 * {@link #run()} or {@link #evaluate} runs, restoring what was there on return.
 */
public final class Console implements CommandContext, AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicReference<Evaluator> WARM = new java.util.concurrent.atomic.AtomicReference<>();

    /** How a console behaves; immutable, {@code with…} returns a changed copy. */
    public record Options(boolean verbose, boolean keepGoing, List<Path> startupFiles, List<Supplier<List<SlashCommand>>> commands,
                          List<EvalListener> listeners, boolean confirmExitWithOpenTransactions, Path historyFile, boolean sandbox) {
        public Options {
            startupFiles = List.copyOf(startupFiles);
            commands = List.copyOf(commands);
            listeners = List.copyOf(listeners);
        }

        /** No commands: the opener adds them ({@code StandardCommands.options()} is the standard console). */
        public static Options defaults() {
            return new Options(false, false, List.of(), List.of(), List.of(), true, null, false);
        }

        public Options withVerbose(boolean v) {
            return new Options(v, keepGoing, startupFiles, commands, listeners, confirmExitWithOpenTransactions, historyFile, sandbox);
        }

        public Options withKeepGoing(boolean k) {
            return new Options(verbose, k, startupFiles, commands, listeners, confirmExitWithOpenTransactions, historyFile, sandbox);
        }

        /** Adds the user's own startup scripts, evaluated after the standard one. */
        public Options withStartup(List<Path> files) {
            List<Path> all = new ArrayList<>(startupFiles);
            all.addAll(files);
            return new Options(verbose, keepGoing, all, commands, listeners, confirmExitWithOpenTransactions, historyFile, sandbox);
        }

        /**
         * Adds the commands {@code factory} makes, called once per console built with these options (commands that hold
         * something, like the playbook run {@code /run} loads, are per console). A later command with the same name
         * replaces an earlier one.
         */
        public Options withCommands(Supplier<List<SlashCommand>> factory) {
            List<Supplier<List<SlashCommand>>> all = new ArrayList<>(commands);
            all.add(factory);
            return new Options(verbose, keepGoing, startupFiles, all, listeners, confirmExitWithOpenTransactions, historyFile, sandbox);
        }

        /** Adds these command objects (shared by every console built with these options). */
        public Options withCommands(List<SlashCommand> more) {
            List<SlashCommand> fixed = List.copyOf(more);
            return withCommands(() -> fixed);
        }

        public Options withListener(EvalListener l) {
            List<EvalListener> all = new ArrayList<>(listeners);
            all.add(l);
            return new Options(verbose, keepGoing, startupFiles, commands, all, confirmExitWithOpenTransactions, historyFile, sandbox);
        }

        /** For a console opened inside a step: leaving does not touch the step's open transactions, so no question. */
        public Options leavingKeepsTransactions() {
            return new Options(verbose, keepGoing, startupFiles, commands, listeners, false, historyFile, sandbox);
        }

        /** A console on sandbox copies ({@code dev.sluice.snapshot.Sandbox}): the banner and the prompt say SANDBOX on every line. */
        public Options inSandbox() {
            return new Options(verbose, keepGoing, startupFiles, commands, listeners, confirmExitWithOpenTransactions, historyFile, true);
        }

        /** Where JLine keeps history (default: {@code .sluice_history} in the workspace). */
        public Options withHistoryFile(Path file) {
            return new Options(verbose, keepGoing, startupFiles, commands, listeners, confirmExitWithOpenTransactions, file, sandbox);
        }
    }

    private final Session session;
    private final Options options;
    private final Terminal terminal;
    private final PrintStream out;
    private final PrintStream err;
    private final Reader scriptIn;
    private final Evaluator evaluator;
    private final SlashCommands commands;
    private final ConsoleCompleter completer;
    private final CompletableFuture<Void> started;
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-console-timer");
        t.setDaemon(true);
        return t;
    });
    private boolean exitRequested;
    private volatile boolean closing;
    private InputSource input;
    /** The fast path for plain DSL calls while JShell is still cold; null when a custom startup could rebind names. */
    private final DirectCall direct;
    /** The startup script, the tier bindings and the user's startup files, evaluated in the background. */
    private final ConsoleStartup startup;
    /** Ctrl-C, during an evaluation or at the prompt. */
    private final ConsoleInterrupts interrupts;
    /** Java input on the fast path or in JShell, errors, lastError and the listeners. */
    private final ConsoleEvaluation evaluation;
    /** How results print: the terminal's width now, and the mode {@code /mode} chose. */
    private final ConsoleDisplay display;

    private Console(Session session, Options options, Terminal terminal, Reader scriptIn, PrintStream out, PrintStream err) {
        this.session = session;
        this.options = options;
        this.terminal = terminal;
        this.scriptIn = scriptIn;
        this.out = out;
        this.err = err;
        this.commands = SlashCommands.of(options.commands());
        Evaluator warm = WARM.getAndSet(null);
        this.evaluator = warm != null ? warm : new Evaluator(Sluice.class, InputStream.nullInputStream(), out, err);
        this.completer = new ConsoleCompleter(session, evaluator, commands, this, this::startupDone);
        this.display = new ConsoleDisplay(terminal);
        // Snippets run on threads JShell's thread starts: bound there for good (this console owns that thread).
        evaluator.submit(() -> Sluice.bind(session));
        evaluator.submit(() -> Rows.bindDisplay(display));
        this.startup = new ConsoleStartup(session, options, evaluator, err, () -> closing);
        this.direct = ConsoleStartup.directAllowed(options) ? new DirectCall(startup.boundTiers(), Sluice.class) : null;
        ConsoleEvaluation.forgetLastError();
        this.started = CompletableFuture.runAsync(startup::evaluate, r -> {
            Thread t = new Thread(r, "sluice-startup");
            t.setDaemon(true);
            t.start();
        });
        this.interrupts = new ConsoleInterrupts(session, evaluator, timer);
        this.evaluation = new ConsoleEvaluation(session, options, terminal, out, err, evaluator, direct, started, timer, interrupts, startup);
    }

    /**
     * Starts JShell and its compiler's warm-up (the first compile costs 0.5–1.5 s) in the background, before the caller
     * opens the session; the next console constructed in this JVM takes it over. Optional: only start-up time changes.
     */
    public static void warmUp() {
        Evaluator e = new Evaluator(Sluice.class, InputStream.nullInputStream(), System.out, System.err);
        e.submit(() -> e.jshell().eval("import static dev.sluice.dsl.Sluice.*;"));
        Evaluator old = WARM.getAndSet(e);
        if (old != null) {
            old.close();
        }
    }

    /** An interactive console on a terminal. */
    public static Console onTerminal(Session session, Terminal terminal, Options options) {
        PrintStream ps = new PrintStream(terminal.output(), true, terminal.encoding());
        return new Console(session, options, terminal, null, ps, ps);
    }

    /** A console reading a script from {@code in}: no prompts, values to {@code out}, errors to {@code err}. */
    public static Console onStreams(Session session, Reader in, PrintStream out, PrintStream err, Options options) {
        return new Console(session, options, null, in, out, err);
    }

    // ---------------------------------------------------------------- startup

    /** True when {@code source} needs no more lines: every snippet in it is complete (or broken beyond repair). */
    boolean complete(String source) {
        if (direct != null && direct.plan(source).isPresent()) {
            return true; // a plain DSL call: no need to wait for JShell's analysis
        }
        String rest = source;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo ci = evaluator.analyze(rest);
            switch (ci.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> rest = ci.remaining();
                case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> {
                    return false;
                }
                default -> {
                    return true;
                }
            }
        }
        return true;
    }

    /** True once the startup script has been evaluated: JShell is warm. */
    private boolean startupDone() {
        return started != null && started.isDone();
    }

    /** Waits until the startup script has been evaluated (the first input waits here, not the first prompt). */
    public void awaitStartup() {
        started.join();
    }

    // ---------------------------------------------------------------- the loop

    /** Runs until /exit, Ctrl-D or the end of input; returns the exit status (script mode: 1 after an error). */
    public int run() {
        Sluice.Binding bound = Sluice.bind(session); // the fast path and /commands run on this thread
        Rows.DisplayBinding displayHere = Rows.bindDisplay(display); // and print on it
        try {
            if (terminal != null) {
                TerminalInput ti = new TerminalInput(terminal, this, completer, options.historyFile() != null
                        ? options.historyFile() : session.workspace().dir().resolve(".sluice_history"), session.workspace().secrets(),
                        options.sandbox());
                input = ti;
                terminal.handle(Terminal.Signal.INT, s -> interrupt());
                Banner.print(out, session, options.sandbox());
            } else {
                // A caller's BufferedReader is used as is: `sluice run` shares one with its decider, and a second
                // buffer would swallow the answers that follow the inspect session.
                input = new PlainInput(scriptIn instanceof BufferedReader b ? b : new BufferedReader(scriptIn), this::complete, out);
            }
            return loop();
        } catch (IOException e) {
            err.println("I/O: " + e.getMessage());
            return 1;
        } finally {
            closeCommands();
            displayHere.close();
            bound.close();
            if (input instanceof TerminalInput ti) {
                ti.saveHistory();
            }
        }
    }

    private int loop() throws IOException {
        int failures = 0;
        while (true) {
            String in = input.read();
            if (in == null) {
                if (leave()) {
                    break;
                }
                continue;
            }
            if (in.isBlank()) {
                continue;
            }
            history.add(in.strip());
            boolean ok = InputSource.isCommand(in) ? command(in.strip()) : java(in);
            out.flush();
            if (!ok) {
                failures++;
                if (terminal == null && !options.keepGoing()) {
                    return 1;
                }
            }
            if (exitRequested) {
                exitRequested = false;
                if (leave()) {
                    break;
                }
            }
        }
        return failures > 0 && terminal == null ? 1 : 0;
    }

    /** Leaving with a transaction open asks first (interactive top-level consoles only). */
    private boolean leave() throws IOException {
        if (terminal == null || !options.confirmExitWithOpenTransactions()) {
            return true;
        }
        List<String> open = session.tiers().all().stream().filter(Tier::inTransaction).map(Tier::name).toList();
        if (open.isEmpty()) {
            return true;
        }
        return input.confirm("A transaction is open on " + String.join(", ", open)
                + "; leaving rolls it back. Leave anyway? [y/N] ");
    }

    // ---------------------------------------------------------------- evaluating

    /** Evaluates one input as if typed (Java or /command); returns false when it failed. For tests and replay. */
    public boolean evaluate(String in) {
        history.add(in.strip());
        try (Sluice.Binding bound = Sluice.bind(session); Rows.DisplayBinding shown = Rows.bindDisplay(display)) {
            return InputSource.isCommand(in) ? command(in.strip()) : java(in);
        }
    }

    private boolean java(String source) {
        return evaluation.java(source);
    }

    /** How many inputs took the fast path (tests check it was, or was not, taken). */
    long directEvaluations() {
        return evaluation.directEvaluations();
    }

    private boolean command(String line) {
        String body = line.substring(1);
        int sp = body.indexOf(' ');
        String name = sp < 0 ? body : body.substring(0, sp);
        String args = sp < 0 ? "" : body.substring(sp + 1).strip();
        evaluation.fireInput(EvalListener.Kind.COMMAND, line);
        SlashCommand cmd = commands.find(name);
        if (cmd == null) {
            String msg = "Usage: no command /" + name + ". Type /help for the list.";
            evaluation.printError(msg, null);
            evaluation.fireError(msg, null);
            return false;
        }
        interrupts.begin();
        try {
            cmd.run(args, this);
            out.flush();
            evaluation.fireOutput("/" + cmd.name() + " done");
            return true;
        } catch (Exception | LinkageError | AssertionError e) {
            evaluation.report(e);
            return false;
        } finally {
            interrupts.end();
        }
    }


    /** The last exception an input raised (snippets read it as {@code lastError}). */
    public static Throwable lastError() {
        return ConsoleEvaluation.lastError();
    }

    /**
     * Ctrl-C: stops the SQL running on every tier and then the snippet's Java code; the console stays. Between two
     * prompts, with nothing running, the next prompt takes it as pressed there.
     */
    public void interrupt() {
        interrupts.interrupt();
    }

    // ---------------------------------------------------------------- CommandContext

    @Override
    public Session session() {
        return session;
    }

    @Override
    public PrintStream out() {
        return out;
    }

    @Override
    public List<String> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    @Override
    public List<SlashCommand> commands() {
        return commands.all();
    }

    @Override
    public void requestExit() {
        exitRequested = true;
    }

    @Override
    public boolean verbose() {
        return options.verbose();
    }

    @Override
    public boolean confirm(String question) {
        try {
            return input != null && input.confirm(question);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void shown(Object value) {
        evaluation.fireShown(value);
    }

    @Override
    public Rows.Mode displayMode() {
        return display.mode();
    }

    @Override
    public void displayMode(Rows.Mode mode) {
        display.mode(mode);
    }

    @Override
    public void evaluated(EvalListener.Kind kind, String text, String summary) {
        evaluation.fireInput(kind, text);
        evaluation.fireOutput(summary);
    }

    /**
     * What Ctrl-C at an empty prompt does besides clearing it: the handler returns true to end the console (the CLI's
     * guard, when it has rolled back an open step). Without one, or when it returns false, the console stays.
     */
    public void onPromptInterrupt(java.util.function.BooleanSupplier handler) {
        interrupts.onPromptInterrupt(handler);
    }

    /** Whether a Ctrl-C came while no read or evaluation waited for it (and forgets it); see {@link TerminalInput}. */
    boolean takeInterruptBetweenReads() {
        return interrupts.takeInterruptBetweenReads();
    }

    /** Ctrl-C at an empty prompt; true when the console is to end. */
    boolean promptInterrupted() {
        return interrupts.promptInterrupted();
    }

    /** The playbook run this console loaded with {@code /run} (its step may be open), or null. Thread-safe to read. */
    public dev.sluice.playbook.PlaybookSession playbookRun() {
        for (SlashCommand c : commands.all()) {
            if (c instanceof RunHolder h && h.ownedRun() != null) {
                return h.ownedRun();
            }
        }
        return null;
    }

    /** The completer the terminal uses; tests call it directly. */
    public ConsoleCompleter completer() {
        return completer;
    }

    /** The JShell behind this console (for tests and tools that need to look at snippet classes). */
    public Evaluator evaluator() {
        return evaluator;
    }

    /** Ends what commands hold (an open playbook step is rolled back, its locks released); idempotent. */
    private void closeCommands() {
        for (SlashCommand c : commands.all()) {
            if (c instanceof AutoCloseable ac) {
                try {
                    ac.close();
                } catch (Exception e) {
                    err.println(Renderer.error(e));
                }
            }
        }
    }

    /** Stops JShell and ends what commands hold. Does not close the session: whoever opened it closes it. */
    @Override
    public void close() {
        closing = true;
        closeCommands();
        evaluator.close(started.isDone()); // a script that ended on the fast path does not wait for JShell's warm-up
        timer.shutdownNow();
    }
}
