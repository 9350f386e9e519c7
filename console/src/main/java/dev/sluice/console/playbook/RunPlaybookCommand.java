package dev.sluice.console.playbook;

import dev.sluice.console.Arguments;
import dev.sluice.console.CommandContext;
import dev.sluice.console.ConsoleCompleter;
import dev.sluice.console.RunHolder;
import dev.sluice.console.SlashCommand;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Playbook;
import dev.sluice.playbook.PlaybookSession;
import dev.sluice.playbook.RunMode;
import dev.sluice.playbook.RunOptions;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.groovy.PlaybookLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /run PLAYBOOK [-p name=value]… [--start-at STEP] [--stop-after STEP] [--only STEP]}: loads a playbook for
 * stepping through with {@code /next}. Takes the run locks; they are released by the next {@code /run} or when the
 * console ends (which rolls back a step left open).
 */
final class RunPlaybookCommand implements SlashCommand, RunHolder, AutoCloseable {
    private static final List<String> STEP_OPTIONS = List.of("--start-at", "--stop-after", "--only");
    private final ConsoleRun state;
    /** The playbook completion last loaded, by file and modification time (loading compiles Groovy). */
    private Path cachedFile;
    private long cachedModified;
    private Playbook cached;

    RunPlaybookCommand(ConsoleRun state) {
        this.state = state;
    }

    /** The run this console loaded and owns, or null. */
    @Override
    public PlaybookSession ownedRun() {
        return state.ownRun();
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "Load a playbook to step through with /next: /run playbooks/tour.groovy -p status=open";
    }

    @Override
    public String usage() {
        return "/run PLAYBOOK [-p name=value]… [--only|--start-at|--stop-after STEP]";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        state.refuseWhileInspecting(name());
        List<String> words = Arguments.split(args);
        String path = null;
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> steps = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-p") || w.equals("--param") || STEP_OPTIONS.contains(w)) {
                if (i + 1 >= words.size()) {
                    throw usage(w + " needs a value");
                }
                String v = words.get(++i);
                if (STEP_OPTIONS.contains(w)) {
                    steps.put(w, v);
                } else {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw usage("-p takes name=value, not '" + v + "'");
                    }
                    params.put(v.substring(0, eq), v.substring(eq + 1));
                }
            } else if (w.startsWith("-") || path != null) {
                throw usage("unexpected '" + w + "'");
            } else {
                path = w;
            }
        }
        if (path == null) {
            throw usage("which playbook? Tab lists the ones found");
        }
        PlaybookSession current = state.run();
        if (current != null && current.current() != null) {
            throw new SluiceException(ErrorCode.USAGE, "Step '" + current.current().step().name() + "' of " + current.playbook().displayPath()
                    + " is open. /commit, /rollback or /skip it before loading another playbook.");
        }
        Playbook pb = PlaybookLoader.load(resolve(ctx.session(), path));
        state.load(null); // releases the previous run's locks before the new run takes its own
        RunOptions options = new RunOptions(RunMode.STEP, steps.get("--start-at"), steps.get("--stop-after"), steps.get("--only"), params);
        PlaybookSession run = PlaybookSession.start(ctx.session(), pb, options, new ConsoleDecider(ctx), new ConsoleRunPrinter(ctx.out()));
        state.load(run);
        ctx.out().println(ConsoleRun.nextLine(run));
    }

    private SluiceException usage(String problem) {
        return new SluiceException(ErrorCode.USAGE, "/run: " + problem + ". Usage: " + usage());
    }

    /** A playbook path: absolute, or relative to the workspace, the current folder, then Sluice's own folder. */
    static Path resolve(Session session, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p;
        }
        List<Path> bases = new ArrayList<>(List.of(session.workspace().dir(), Path.of("")));
        String home = System.getProperty("sluice.home");
        if (home != null) {
            bases.add(Path.of(home));
        }
        for (Path base : bases) {
            Path c = base.resolve(p);
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        throw new SluiceException(ErrorCode.PLAYBOOK, "No playbook " + path + " in the workspace (" + session.workspace().dir()
                + ") or the current folder (" + Path.of("").toAbsolutePath() + "). Tab after /run lists the playbooks found.");
    }

    @Override
    public ArgumentCompleter completer() {
        return (args, ctx) -> {
            int start = Arguments.lastStart(args);
            List<String> before = Arguments.split(args.substring(0, start));
            if (before.isEmpty()) {
                return ConsoleCompleter.playbooks(ctx.session());
            }
            String previous = before.get(before.size() - 1);
            if (STEP_OPTIONS.contains(previous)) {
                Playbook pb = playbook(ctx.session(), before.get(0));
                boolean quoted = args.startsWith("\"", start);
                return pb == null ? List.of() : pb.steps().stream().map(Step::name)
                        .map(n -> quoted ? "\"" + n + "\"" : Arguments.quoted(n)).toList();
            }
            if (previous.equals("-p") || previous.equals("--param")) {
                Playbook pb = playbook(ctx.session(), before.get(0));
                return pb == null ? List.of() : pb.params().keySet().stream().map(n -> n + "=").toList();
            }
            List<String> options = new ArrayList<>(List.of("-p"));
            options.addAll(STEP_OPTIONS);
            return options;
        };
    }

    private Playbook playbook(Session session, String path) {
        try {
            Path file = resolve(session, path).toAbsolutePath().normalize();
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (!file.equals(cachedFile) || modified != cachedModified) {
                cached = PlaybookLoader.loadDeclarations(file); // completion only: no top-level code runs
                cachedFile = file;
                cachedModified = modified;
            }
            return cached;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
