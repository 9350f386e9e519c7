package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.jline.terminal.Terminal;

/**
 * How a console evaluates Java input: on the fast path ({@link DirectCall}) while JShell is cold, else snippet by snippet
 * in JShell; with System.out/err sent to the console's streams in script mode, the progress indicator on a terminal, the
 * state Ctrl-C reads ({@link ConsoleInterrupts}), errors as one line kept in {@code lastError}, and the listeners told.
 */
final class ConsoleEvaluation {
    private static volatile Throwable lastError;

    private final Session session;
    private final Console.Options options;
    /** Null in script mode. */
    private final Terminal terminal;
    private final PrintStream out;
    private final PrintStream err;
    private final Evaluator evaluator;
    /** The fast path for plain DSL calls while JShell is still cold; null when a custom startup could rebind names. */
    private final DirectCall direct;
    private final CompletableFuture<Void> started;
    private final ScheduledExecutorService timer;
    private final ConsoleInterrupts interrupts;
    private final ConsoleStartup startup;
    private final AtomicLong directEvaluations = new AtomicLong();
    /** The session's varies(...) count when the current input began: a change means the input marked its value. */
    private volatile long variesAtInput;

    ConsoleEvaluation(Session session, Console.Options options, Terminal terminal, PrintStream out, PrintStream err, Evaluator evaluator,
                      DirectCall direct, CompletableFuture<Void> started, ScheduledExecutorService timer, ConsoleInterrupts interrupts,
                      ConsoleStartup startup) {
        this.session = session;
        this.options = options;
        this.terminal = terminal;
        this.out = out;
        this.err = err;
        this.evaluator = evaluator;
        this.direct = direct;
        this.started = started;
        this.timer = timer;
        this.interrupts = interrupts;
        this.startup = startup;
    }

    /** The last exception an input raised in any console of this JVM (snippets read it as {@code lastError}). */
    static Throwable lastError() {
        return lastError;
    }

    /** A new console starts with no last error. */
    static void forgetLastError() {
        lastError = null;
    }

    boolean java(String source) {
        if (direct != null && !started.isDone()) {
            Optional<DirectCall.Plan> plan = direct.plan(source);
            if (plan.isPresent()) {
                return evalDirect(source, plan.get());
            }
        }
        started.join();
        String rest = source;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo ci = evaluator.analyze(rest);
            String snippet;
            switch (ci.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    snippet = ci.source();
                    rest = ci.remaining();
                }
                case EMPTY -> {
                    return true;
                }
                default -> {
                    snippet = rest;
                    rest = "";
                }
            }
            if (!evalSnippet(snippet)) {
                return false;
            }
        }
        return true;
    }

    private boolean evalSnippet(String snippet) {
        fireInput(EvalListener.Kind.JAVA, snippet);
        List<Evaluator.Outcome> outcomes;
        Tier previewed = previewing(snippet);
        try {
            outcomes = evaluating(() -> evaluator.eval(snippet));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            endPreview(previewed);
        }
        boolean ok = true;
        for (Evaluator.Outcome o : outcomes) {
            SnippetEvent ev = o.event();
            if (ev.status() == Snippet.Status.REJECTED) {
                String line = Renderer.compileError(ev.snippet().source(), o.diagnostics());
                printError(line, null);
                fireError(line, null);
                ok = false;
            } else if (o.thrown() != null) {
                report(o.thrown());
                ok = false;
            } else if (interrupts.cancelRequested()) {
                cancelled();
                ok = false;
            } else {
                String shown = Renderer.describe(ev);
                if (shown != null && o.valued()) {
                    fireShown(o.value());
                }
                shown(shown);
            }
        }
        return ok;
    }

    /** A plain DSL call run while JShell warms up ({@link DirectCall}): same output, errors, journal and Ctrl-C as a snippet. */
    private boolean evalDirect(String source, DirectCall.Plan plan) {
        directEvaluations.incrementAndGet();
        fireInput(EvalListener.Kind.JAVA, source);
        DirectCall.Result result;
        interrupts.directRunning(true);
        Tier previewed = previewing(source);
        try {
            result = evaluating(() -> DirectCall.run(plan));
        } catch (Throwable t) {
            // Every throwable, an OutOfMemoryError included, is reported as JShell reports a snippet's: the console stays.
            if (interrupts.cancelRequested()) {
                cancelled();
            } else {
                report(t);
            }
            return false;
        } finally {
            endPreview(previewed);
            interrupts.directRunning(false);
        }
        if (interrupts.cancelRequested()) {
            cancelled(); // a call that absorbed the cancel still counts as stopped, as on JShell's path
            return false;
        }
        if (result.shown() != null) {
            fireShown(result.value());
        }
        shown(result.shown());
        return true;
    }

    /**
     * A query typed bare ({@link BareQuery}) shows its first rows rather than load the whole result: its tier's next
     * query is made a preview. Returns that tier, or null.
     */
    private Tier previewing(String source) {
        Tier t = BareQuery.of(source).map(r -> r.variable() != null ? startup.boundTiers().get(r.variable())
                : session.tiers().has(r.tierName()) ? session.tier(r.tierName()) : null).orElse(null);
        if (t != null) {
            TierInternals.previewNextQuery(t, true);
        }
        return t;
    }

    /** Takes the preview back, used or not (a snippet that failed to compile never ran its query). */
    private static void endPreview(Tier t) {
        if (t != null) {
            TierInternals.previewNextQuery(t, false);
        }
    }

    /** Work that evaluates input, as the console runs it. */
    private interface Evaluation<T> {
        T run() throws Throwable;
    }

    /**
     * Runs one evaluation with what every evaluation needs: in script mode System.out/err sent where this console's output
     * goes (in-process code prints there), the progress indicator on a terminal, and the state Ctrl-C reads.
     */
    private <T> T evaluating(Evaluation<T> work) throws Throwable {
        PrintStream sysOut = System.out;
        PrintStream sysErr = System.err;
        boolean redirect = terminal == null && (out != sysOut || err != sysErr);
        // On a terminal the call's progress events feed the spinner's line (and its listener's bar stays undrawn).
        StatusLine status = terminal == null ? null : new StatusLine(session.events());
        dev.sluice.data.DataEvents before = status == null ? null : session.useEvents(status);
        Progress progress = terminal == null ? Progress.NONE : Progress.start(timer, terminal, out, status);
        interrupts.begin();
        try {
            if (redirect) {
                System.setOut(out);
                System.setErr(err);
            }
            return work.run();
        } finally {
            interrupts.end();
            if (redirect) {
                System.setOut(sysOut);
                System.setErr(sysErr);
            }
            progress.stop();
            if (status != null) {
                session.useEvents(before);
            }
        }
    }

    private void cancelled() {
        String line = "Cancelled: stopped by Ctrl-C.";
        printError(line, null);
        fireError(line, null);
    }

    /** Prints what an evaluation shows (nothing for null) and tells listeners. */
    private void shown(String shown) {
        if (shown != null) {
            out.println(shown);
        }
        fireOutput(shown == null ? "" : shown);
    }

    /** How many inputs took the fast path (tests check it was, or was not, taken). */
    long directEvaluations() {
        return directEvaluations.get();
    }

    /** Prints an error as one line, keeps it in {@code lastError} (also for snippets), tells listeners. */
    void report(Throwable t) {
        if (t instanceof dev.sluice.error.SluiceException se && se.code() == dev.sluice.error.ErrorCode.JOURNAL) {
            // The journal refused an event written while the input ran (an observation, on a full disk): the session
            // stops, and its end says so in one line. Shown here as the input's error too, it was said twice.
            throw se;
        }
        String line = Renderer.error(t);
        printError(line, t);
        if (options.verbose()) {
            t.printStackTrace(err);
        }
        lastError = t;
        fireError(line, t);
        if (startup.lastErrorBound()) {
            evaluator.eval("lastError = dev.sluice.console.Console.lastError();");
        }
    }

    void printError(String line, Throwable t) {
        err.println(line);
        err.flush();
    }

    void fireInput(EvalListener.Kind kind, String text) {
        variesAtInput = session.variesMarks();
        for (EvalListener l : options.listeners()) {
            l.input(kind, text);
        }
    }

    /** Tells listeners the object the current input showed, and whether the input marked it with varies(...). */
    void fireShown(Object value) {
        boolean marked = session.variesMarks() != variesAtInput;
        for (EvalListener l : options.listeners()) {
            l.shown(value, marked);
        }
    }

    void fireOutput(String summary) {
        for (EvalListener l : options.listeners()) {
            l.output(summary);
        }
    }

    void fireError(String line, Throwable t) {
        for (EvalListener l : options.listeners()) {
            l.error(line, t);
        }
    }
}
