package dev.sluice.console;

import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.Diag;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;

/**
 * Owns one in-process {@link JShell}: built on the DSL's class loader with the DSL's code-source paths on the compiler
 * class path (so snippets and host share objects and statics), and used from a single thread, because JShell is not
 * thread-safe. Work queues in order: the startup script evaluates in the background while the console already reads
 * its first line; the first user snippet simply waits behind it.
 */
final class Evaluator implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-jshell");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Throwable> lastThrown = new AtomicReference<>();
    private final SharedExecution execution;
    private final Future<JShell> shell;
    private volatile boolean running;
    /** A completion that outlasted its caller's wait, still running; null or done when there is none. */
    private volatile Future<?> slowCompletion;

    /**
     * Starts building JShell in the background. {@code anchor} is a class of the DSL whose loader snippets must share.
     * {@code in/out/err} are what snippets get from JShell's own streams (in-process, {@code System.out} is the process').
     */
    public Evaluator(Class<?> anchor, InputStream in, PrintStream out, PrintStream err) {
        ClassLoader dsl = anchor.getClassLoader();
        this.execution = new SharedExecution(dsl, lastThrown::set);
        String cp = classPath(anchor);
        this.shell = thread.submit(() -> {
            Thread me = Thread.currentThread();
            ClassLoader saved = me.getContextClassLoader();
            try {
                // JShell.build() replaces the calling thread's context loader (DESIGN.md §9): put it back.
                return JShell.builder()
                        .executionEngine(execution, Map.of())
                        .compilerOptions("--class-path", cp)
                        .in(in).out(out).err(err)
                        .build();
            } finally {
                me.setContextClassLoader(saved);
            }
        });
    }

    /** The DSL's code-source paths plus the class path the JVM and any isolating loader were given. */
    static String classPath(Class<?> anchor) {
        Set<String> out = new LinkedHashSet<>();
        CodeSource cs = anchor.getProtectionDomain().getCodeSource();
        if (cs != null && cs.getLocation() != null) {
            add(out, cs.getLocation());
        }
        for (ClassLoader l = anchor.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    add(out, url);
                }
            }
        }
        for (String p : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!p.isBlank()) {
                out.add(p);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static void add(Set<String> out, URL url) {
        try {
            if ("file".equals(url.getProtocol())) {
                out.add(Path.of(url.toURI()).toString());
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file: nothing the compiler could read
        }
    }

    /** Runs {@code work} on the JShell thread, after everything queued before it. */
    public <T> Future<T> submit(Callable<T> work) {
        return thread.submit(work);
    }

    private <T> T call(Callable<T> work) {
        try {
            return thread.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for JShell", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The JShell instance; blocks until it is built. Use only from the JShell thread (inside {@link #submit}). */
    public JShell jshell() {
        try {
            return shell.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting JShell", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("JShell did not start: " + e.getCause(), e.getCause());
        }
    }

    /** The class loader snippets are defined in (a child of the DSL's), once JShell has started. */
    public ClassLoader snippetLoader() {
        jshell();
        return execution.snippetLoader();
    }

    /**
     * One evaluated snippet: its JShell event, when it threw the real exception object, and the object it shows
     * ({@code valued}: it shows one, which may be null) for listeners that record what was shown.
     */
    public record Outcome(SnippetEvent event, Throwable thrown, List<Diag> diagnostics, Object value, boolean valued) {
    }

    /** Evaluates exactly one complete snippet (see {@link #analyze}) and waits for it. */
    public List<Outcome> eval(String snippet) {
        return call(() -> {
            JShell js = jshell();
            lastThrown.set(null);
            running = true;
            List<SnippetEvent> events;
            try {
                events = js.eval(snippet);
            } finally {
                running = false;
            }
            List<Outcome> out = new ArrayList<>();
            for (SnippetEvent e : events) {
                if (e.causeSnippet() != null) {
                    continue; // an update to another snippet this one caused, not its own result
                }
                Throwable real = null;
                if (e.exception() != null) {
                    Throwable t = lastThrown.get();
                    real = t != null ? t : e.exception();
                }
                List<Diag> diags = e.status() == Snippet.Status.REJECTED ? js.diagnostics(e.snippet()).toList() : List.of();
                boolean[] valued = {false};
                Object value = null;
                if (real == null && e.status().isDefined()) {
                    String name = e.snippet() instanceof VarSnippet v ? v.name() : e.snippet() instanceof ExpressionSnippet x ? x.name() : null;
                    value = name == null ? null : execution.variable(name, valued);
                }
                out.add(new Outcome(e, real, diags, value, valued[0]));
            }
            return out;
        });
    }

    /** Splits input into the first complete snippet and the rest, or says it is incomplete. */
    public SourceCodeAnalysis.CompletionInfo analyze(String input) {
        return call(() -> jshell().sourceCodeAnalysis().analyzeCompletion(input));
    }

    /**
     * Java completion; null when JShell is still busy after {@code waitMillis} (the work goes on in the background, so
     * the compiler warms up for the next call), empty when there is nothing to offer.
     */
    public List<SourceCodeAnalysis.Suggestion> suggestions(String code, int cursor, int[] anchor, long waitMillis) {
        Future<?> still = slowCompletion;
        if (still != null && !still.isDone()) {
            return null; // the last one is still warming the compiler up: no second one queued behind it
        }
        Future<List<SourceCodeAnalysis.Suggestion>> f = thread.submit(
                () -> jshell().sourceCodeAnalysis().completionSuggestions(code, cursor, anchor));
        try {
            return f.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            slowCompletion = f;
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException e) {
            return List.of();
        }
    }

    /** True while a snippet executes. */
    public boolean running() {
        return running;
    }

    /** Stops the running snippet's Java code (JShell.stop); any thread may call it. */
    public void stop() {
        if (shell.isDone() && running) {
            jshell().stop();
        }
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * Closes JShell. With {@code wait} false (JShell may still be busy warming up) the close is queued behind the work
     * in progress and this returns at once; the thread is a daemon and cannot keep the JVM alive.
     */
    public void close(boolean wait) {
        if (!wait) {
            try {
                thread.submit(() -> {
                    jshell().close();
                    return null;
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // already closing
            }
            thread.shutdown();
            return;
        }
        if (shell.isDone()) {
            try {
                thread.submit(() -> {
                    jshell().close();
                    return null;
                }).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        thread.shutdownNow();
    }
}
