package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;
import jdk.jshell.Snippet;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;

/**
 * What a console evaluates before the first input, in the background: the standard {@code startup.jsh}, one variable
 * per tier ({@code Tier tier1 = tier("tier1");}), {@code lastError}, then the user's {@code --startup} files. Also
 * decides whether the fast path ({@link DirectCall}) may answer while this runs.
 */
final class ConsoleStartup {
    /** Names the startup binds itself; a tier with one of these names keeps only {@code tier("name")}. */
    static final Set<String> RESERVED = Set.of("ws", "tiers", "lastError", "session");
    private static final Pattern JAVA_IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private final Session session;
    private final Console.Options options;
    private final Evaluator evaluator;
    private final PrintStream err;
    /** True once the console ends: the rest of the startup is not evaluated. */
    private final BooleanSupplier closing;
    private volatile boolean lastErrorBound;

    ConsoleStartup(Session session, Console.Options options, Evaluator evaluator, PrintStream err, BooleanSupplier closing) {
        this.session = session;
        this.options = options;
        this.evaluator = evaluator;
        this.err = err;
        this.closing = closing;
    }

    /** The standard startup: {@code $SLUICE_HOME/scripts/startup.jsh} when present, else the copy packaged in the jar. */
    static String standardStartup() {
        String home = System.getProperty("sluice.home");
        if (home != null) {
            Path p = Path.of(home, "scripts", "startup.jsh");
            if (Files.isRegularFile(p)) {
                try {
                    return Files.readString(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        try (InputStream in = Console.class.getResourceAsStream("startup.jsh")) {
            if (in == null) {
                throw new IllegalStateException("startup.jsh is missing from the classpath; rebuild with ./mvnw package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One {@code Tier NAME = tier("NAME");} per tier whose name can be a variable, and {@code lastError}. */
    String bindings() {
        StringBuilder sb = new StringBuilder();
        for (String name : boundTiers().keySet()) {
            sb.append("Tier ").append(name).append(" = tier(\"").append(name).append("\");\n");
        }
        sb.append("Throwable lastError = dev.sluice.console.Console.lastError();\n"); // an error the fast path met before this ran
        return sb.toString();
    }

    /** The tiers the startup binds to a variable of their own name (a name Java accepts and the startup does not use). */
    Map<String, Tier> boundTiers() {
        Map<String, Tier> out = new LinkedHashMap<>();
        for (String name : session.tiers().names()) {
            if (JAVA_IDENTIFIER.matcher(name).matches() && !SourceVersion.isKeyword(name) && !RESERVED.contains(name)) {
                out.put(name, session.tier(name));
            }
        }
        return out;
    }

    /**
     * The fast path mirrors the standard bindings, so it is on only when nothing else could rebind a name: no
     * {@code --startup} file, the packaged startup.jsh unedited, and not switched off with {@code -Dsluice.direct=false}.
     */
    static boolean directAllowed(Console.Options options) {
        if (!options.startupFiles().isEmpty() || "false".equals(System.getProperty("sluice.direct"))) {
            return false;
        }
        try (InputStream in = Console.class.getResourceAsStream("startup.jsh")) {
            return in != null && new String(in.readAllBytes(), StandardCharsets.UTF_8).equals(standardStartup());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    void evaluate() {
        List<String[]> scripts = new ArrayList<>();
        try {
            scripts.add(new String[]{"startup.jsh", standardStartup()});
            scripts.add(new String[]{"tier bindings", bindings()});
            for (Path p : options.startupFiles()) {
                scripts.add(new String[]{p.toString(), Files.readString(p)});
            }
        } catch (IOException | RuntimeException e) {
            err.println("Startup: " + Renderer.error(e));
        }
        for (String[] s : scripts) {
            for (String snippet : closing.getAsBoolean() ? List.<String>of() : snippets(s[1])) {
                if (closing.getAsBoolean()) {
                    return; // the console ended before JShell was needed (a script of plain DSL calls)
                }
                for (Evaluator.Outcome o : evaluator.eval(snippet)) {
                    String problem = o.event().status() == Snippet.Status.REJECTED
                            ? Renderer.compileError(o.event().snippet().source(), o.diagnostics())
                            : o.thrown() != null ? Renderer.error(o.thrown()) : null;
                    if (problem != null) {
                        err.println("Startup (" + s[0] + "): " + problem);
                    } else if (o.event().snippet() instanceof VarSnippet v && v.name().equals("lastError")) {
                        lastErrorBound = true;
                    }
                }
            }
        }
    }

    /** Splits Java source into complete snippets the way JShell reads them. */
    List<String> snippets(String source) {
        List<String> out = new ArrayList<>();
        String rest = source;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo ci = evaluator.analyze(rest);
            switch (ci.completeness()) {
                case COMPLETE, COMPLETE_WITH_SEMI -> {
                    out.add(ci.source());
                    rest = ci.remaining();
                }
                case EMPTY -> rest = "";
                default -> {
                    out.add(rest);
                    rest = "";
                }
            }
        }
        return out;
    }

    /** True once the startup has declared {@code lastError}, so a later error can be assigned to it. */
    boolean lastErrorBound() {
        return lastErrorBound;
    }
}
