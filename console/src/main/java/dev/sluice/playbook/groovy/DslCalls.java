package dev.sluice.playbook.groovy;

import dev.sluice.data.BackfillOptions;
import dev.sluice.data.BackfillResult;
import dev.sluice.data.CopyResult;
import dev.sluice.dsl.Sluice;
import dev.sluice.history.MigrateResult;
import dev.sluice.history.Migrations;
import dev.sluice.playbook.StepContext;
import dev.sluice.schema.SchemaChange;
import dev.sluice.snapshot.Archive;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Tier;
import groovy.lang.Closure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The DSL calls a step body (and a rollback block) may make, as explicit methods so an IDE completes them. Each one
 * forwards to {@link Sluice}, so a playbook and the console do the same thing; the non-transactional ones go through the
 * step's gate (announced, confirmed in step mode, only described in a dry run).
 */
public abstract class DslCalls {
    final LoadContext load;
    final StepContext step;

    DslCalls(LoadContext load, StepContext step) {
        this.load = load;
        this.step = step;
    }

    /** A tier by name (tiers are also bound as variables: {@code tier1}). */
    public Tier tier(String name) {
        return Sluice.tier(name);
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

    /** Non-transactional: a verified snapshot of the given tiers (all when none). */
    public Snapshot snapshot(String name, Object... tiers) {
        return Sluice.snapshot(name, tiers);
    }

    /** Non-transactional: restores a snapshot (the current state is kept as a snapshot first). */
    public Snapshots.Restored restore(String name, Object... tiers) {
        return Sluice.restore(name, tiers);
    }

    /** Every snapshot of the workspace, oldest first. */
    public java.util.List<Snapshot> snapshots() {
        return Sluice.snapshots();
    }

    /** Retention: keeps the newest {@code keep} snapshots (announced; only described in a dry run). */
    public java.util.List<String> prune(int keep) {
        return Sluice.prune(keep);
    }

    /** Retention of one family: keeps the newest {@code keep} snapshots whose name starts with {@code prefix}. */
    public java.util.List<String> prune(int keep, String prefix) {
        return Sluice.prune(keep, prefix);
    }

    /** Non-transactional: {@code PRAGMA wal_checkpoint(MODE)} on a tier. */
    public dev.sluice.tier.Rows checkpoint(Object tier, String mode) {
        return Sluice.checkpoint(tier, mode);
    }

    /** Holds the write lock of the tiers (all when none) until the step ends. */
    public void freeze(Tier... tiers) {
        Sluice.freeze(tiers);
    }

    /** Inside a step the freeze ends with the step (commit or rollback); thawing early would commit half a step. */
    public void thaw() {
        step.note("thaw() inside a step does nothing: the freeze ends when the step is committed or rolled back");
    }

    /** Non-transactional: VACUUM a tier. */
    public void vacuum(Object tier) {
        Sluice.vacuum(tier);
    }

    /** Non-transactional: change a tier's journal mode. */
    public String journalMode(Object tier, String mode) {
        return Sluice.journalMode(tier, mode);
    }

    /** Non-transactional: ATTACH a database file to a tier's connection. */
    public void attach(Object tier, String file, String schema) {
        Sluice.attach(tier, file, schema);
    }

    /** Non-transactional: DETACH a schema from a tier's connection. */
    public void detach(Object tier, String schema) {
        Sluice.detach(tier, schema);
    }

    /** Writes a logical SQL dump of a SQLite tier (relative: in the workspace). Writes a file: announced, only described in a dry run. */
    public Path dump(Object tier, String file) {
        return Sluice.dump(tier, file);
    }

    /**
     * Non-transactional: closes the tier and moves its file to {@code FILE + suffix} (see {@link Sluice#archive}); the
     * tier is gone for the rest of the run. Give it a step of its own, after the copies from it are committed.
     */
    public Archive.Archived archive(Object tier, String suffix) {
        return Sluice.archive(tier, suffix);
    }

    /** {@code copy from: a, table: 't', to: b[, into:, where:, columns:]}: a verified copy inside the step's transaction. */
    public CopyResult copy(Map<String, ?> args) {
        return Sluice.copy(args);
    }

    public CopyResult copy(Tier from, String table, Tier to) {
        return Sluice.copy(from, table, to);
    }

    public CopyResult copy(Tier from, String table, Tier to, String into) {
        return Sluice.copy(from, table, to, into);
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

    /**
     * Non-transactional: a resumable keyset backfill that commits each batch with its checkpoint (seed 000, phase 3).
     * Give it a step of its own, or call it before the step writes to the tier. Named options as in
     * {@link BackfillOptions#of}: {@code backfill tier1, 'SELECT id FROM t', name: 'x', batchRows: 500, { b -> … }}.
     */
    public BackfillResult backfill(Map<String, ?> options, Tier tier, String source, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.of(options).keepFinished(true), b -> body.call(b));
    }

    public BackfillResult backfill(Tier tier, String source, int batchRows, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.defaults().batchRows(batchRows).keepFinished(true), b -> body.call(b));
    }

    public BackfillResult backfill(Tier tier, String source, Closure<?> body) {
        return Sluice.backfill(tier, source, BackfillOptions.defaults().keepFinished(true), b -> body.call(b));
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

    public SchemaChange createTable(Object tier, String ddl) {
        return Sluice.createTable(tier, ddl);
    }

    public SchemaChange addColumn(Object tier, String table, String columnDefinition) {
        return Sluice.addColumn(tier, table, columnDefinition);
    }

    public SchemaChange createIndex(Object tier, String ddl) {
        return Sluice.createIndex(tier, ddl);
    }

    public SchemaChange rebuild(Object tier, String table, String createTableDdl) {
        return Sluice.rebuild(tier, table, createTableDdl);
    }

    public SchemaChange rebuild(Object tier, String table, String createTableDdl, Map<String, String> expressions) {
        return Sluice.rebuild(tier, table, createTableDdl, expressions);
    }

    public CopyResult copy(Tier from, String table, Tier to, dev.sluice.data.CopyOptions options) {
        return Sluice.copy(from, table, to, options);
    }

    /** Compares {@code n} random rows of {@code table} on two tiers field by field (seed 004's spot check). */
    public dev.sluice.data.SpotCheck spotCheck(Tier a, Tier b, String table, int n) {
        return Sluice.spotCheck(a, b, table, n);
    }

    /** Compares two tables by bisection over key ranges. */
    public dev.sluice.data.Diff diff(dev.sluice.tier.TableRef a, dev.sluice.tier.TableRef b) {
        return Sluice.diff(a, b);
    }

    /** A line for the operator (and the journal). */
    public void note(String message) {
        step.note(message);
    }

    private static String nameOf(Object tier) {
        return tier instanceof Tier t ? t.name() : String.valueOf(tier);
    }
}
