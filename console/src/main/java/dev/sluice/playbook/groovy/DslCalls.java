package dev.sluice.playbook.groovy;

import dev.sluice.data.BackfillOptions;
import dev.sluice.data.BackfillResult;
import dev.sluice.dsl.Sluice;
import dev.sluice.history.MigrateResult;
import dev.sluice.history.Migrations;
import dev.sluice.playbook.StepContext;
import dev.sluice.tier.Tier;
import groovy.lang.Closure;
import groovy.lang.MissingMethodException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * The DSL calls a step body (and a rollback block) may make: exactly {@link Sluice}'s, the console's DSL (forwarded by
 * {@link #methodMissing}), plus the few a step answers differently (declared here). The non-transactional ones go
 * through the step's gate (announced, confirmed in step mode, only described in a dry run).
 */
public abstract class DslCalls {
    /**
     * Every public static call of {@link Sluice}, by name: the console's DSL, which a step answers by forwarding. The
     * playbook's own block keywords ({@code expect}, {@code tiers}, …) are left out: out of place they stay a misuse
     * reported with its position, as the grammar says.
     */
    static final java.util.Set<String> SLUICE_CALLS = java.util.Arrays.stream(Sluice.class.getMethods())
            .filter(m -> java.lang.reflect.Modifier.isStatic(m.getModifiers())).map(java.lang.reflect.Method::getName)
            .filter(n -> java.util.Arrays.stream(Grammar.Keyword.values()).noneMatch(k -> !k.contextual() && k.word().equals(n)))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    final LoadContext load;
    final StepContext step;

    DslCalls(LoadContext load, StepContext step) {
        this.load = load;
        this.step = step;
    }

    /**
     * The console's DSL, derived from {@link Sluice} instead of copied: any of its public static calls not declared below
     * (where a step behaves differently) runs as {@code Sluice.name(args)}, so a playbook and the console have one surface
     * ({@code DslSurfaceTest} holds it). Other names stay missing, for the script's own methods and the one-line error.
     */
    public Object methodMissing(String name, Object args) {
        Object[] a = args instanceof Object[] array ? array : new Object[] {args};
        if (!SLUICE_CALLS.contains(name)) {
            throw new MissingMethodException(name, getClass(), a);
        }
        return InvokerHelper.invokeStaticMethod(Sluice.class, name, a);
    }

    /** The HTTP probe ({@code http.json(url)}), as in the console: a playbook reads service counts with it (seed 002). */
    public dev.sluice.probe.Http getHttp() {
        return Sluice.http;
    }

    /** Parameter values of this run. */
    public Map<String, Object> getParams() {
        return step.params();
    }

    /**
     * True under {@code --dry-run}: non-transactional actions are then only described, so an expectation about their
     * effect (a journal mode, a snapshot file) can say so: {@code expect('wal') { dryRun || … }}.
     */
    public boolean isDryRun() {
        return step.dryRun();
    }

    /** Inside a step the freeze ends with the step (commit or rollback); thawing early would commit half a step. */
    public void thaw() {
        step.note("thaw() inside a step does nothing: the freeze ends when the step is committed or rolled back");
    }

    /** Applies the folder's {@code *.sql} files once each (relative: to the playbook's folder, then the workspace). */
    public MigrateResult migrate(Object tier, String dir) {
        return Migrations.migrate(Sluice.tier(nameOf(tier)), file(dir));
    }

    /**
     * A path as {@code migrate} resolves it: absolute as given; relative, beside the playbook when it exists there, else
     * in the workspace. For files that ship with a playbook (SQL scripts) and files it writes (a plan, an archive).
     */
    public Path file(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p;
        }
        Path besidePlaybook = load.file.toAbsolutePath().getParent().resolve(path);
        return Files.exists(besidePlaybook) ? besidePlaybook : Sluice.workspace().dir().resolve(path);
    }

    // A playbook's backfill keeps its finished checkpoints until a complete run (README): each form of Sluice.backfill,
    // plus the named-options form {@code backfill tier1, 'SELECT id FROM t', name: 'x', batchRows: 500, { b -> … }}.

    public BackfillResult backfill(Map<String, ?> options, Tier tier, String source, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.of(options).keepFinished(true), b -> body.call(b));
    }

    public BackfillResult backfill(Tier tier, String source, int batchRows, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.defaults().batchRows(batchRows).keepFinished(true), b -> body.call(b));
    }

    public BackfillResult backfill(Tier tier, String source, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.defaults().keepFinished(true), b -> body.call(b));
    }

    public BackfillResult backfill(Tier tier, String source, BackfillOptions options, Closure<?> body) {
        return Sluice.backfill(tier, source, options.keepFinished(true), b -> body.call(b));
    }

    /** The SQL form: {@code backfill tier1, "UPDATE t SET c = … WHERE id BETWEEN :lo AND :hi"} (named options first). */
    public BackfillResult backfill(Map<String, ?> options, Tier tier, String sql) {
        return Sluice.backfill(tier, sql, BackfillOptions.of(options).keepFinished(true));
    }

    public BackfillResult backfill(Tier tier, String sql) {
        return Sluice.backfill(tier, sql, BackfillOptions.defaults().keepFinished(true));
    }

    public BackfillResult backfill(Tier tier, String sql, int batchRows) {
        return Sluice.backfill(tier, sql, BackfillOptions.defaults().batchRows(batchRows).keepFinished(true));
    }

    public BackfillResult backfill(Tier tier, String sql, BackfillOptions options) {
        return Sluice.backfill(tier, sql, options.keepFinished(true));
    }

    /** A line for the operator (and the journal). */
    public void note(String message) {
        step.note(message);
    }

    private static String nameOf(Object tier) {
        return tier instanceof Tier t ? t.name() : String.valueOf(tier);
    }
}
