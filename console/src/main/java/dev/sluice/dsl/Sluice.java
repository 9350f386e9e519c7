package dev.sluice.dsl;

import dev.sluice.data.Backfill;
import dev.sluice.data.BackfillOptions;
import dev.sluice.data.BackfillResult;
import dev.sluice.data.CopyOptions;
import dev.sluice.data.CopyResult;
import dev.sluice.data.Diff;
import dev.sluice.data.SpotCheck;
import dev.sluice.data.SpotChecks;
import dev.sluice.data.TableCopy;
import dev.sluice.data.TableDiff;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.TableRef;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The migration DSL's one static entry point: {@code import static dev.sluice.dsl.Sluice.*} in the console's startup
 * script and in playbooks. Each call works on the current {@link Session}; tiers themselves carry the per-tier calls
 * ({@code tier1.count("conversations")}).
 */
public final class Sluice {
    /** The HTTP probe: {@code http.json(url)} reads a count from a service's JSON API (seed 002). */
    public static final dev.sluice.probe.Http http = new dev.sluice.probe.Http();

    /**
     * The session DSL calls work on, per thread: set by whoever owns the session (a console for its input thread and its
     * JShell thread, a playbook run around each step, a replay) with {@link #bind}, and inherited by the threads those
     * start (JShell runs each snippet on a new thread). Never a JVM-wide value: two consoles in one JVM do not meet.
     */
    private static final InheritableThreadLocal<Session> CURRENT = new InheritableThreadLocal<>();

    private Sluice() {
    }

    /**
     * Makes {@code session} the one DSL calls on this thread (and on threads it starts from now on) work on, until the
     * returned binding is closed, which puts back what was there. Use with try-with-resources.
     */
    public static Binding bind(Session session) {
        Binding b = new Binding(Thread.currentThread(), CURRENT.get());
        CURRENT.set(session);
        return b;
    }

    /** An owner's hold on the current session of one thread; {@link #close} restores the previous one. */
    public static final class Binding implements AutoCloseable {
        private final Thread thread;
        private final Session previous;

        private Binding(Thread thread, Session previous) {
            this.thread = thread;
            this.previous = previous;
        }

        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("a session binding is closed on the thread that made it (" + thread.getName() + ")");
            }
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static Session session() {
        Session s = CURRENT.get();
        if (s == null) {
            throw new SluiceException(ErrorCode.WORKSPACE, "No workspace is open. Open one with 'sluice console -w DIR' or Sluice.bind(Session.open(dir)).");
        }
        return s;
    }

    public static String version() {
        Package p = Sluice.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (var in = Sluice.class.getResourceAsStream("/sluice-version.properties")) {
            java.util.Properties props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    // ---------------------------------------------------------------- workspace and tiers

    public static Workspace workspace() {
        return session().workspace();
    }

    public static TierSet tiers() {
        return session().tiers();
    }

    public static Tier tier(String name) {
        return session().tier(name);
    }

    // ---------------------------------------------------------------- snapshots

    /** Snapshots the given tiers (every SQLite and PostgreSQL tier when none are given). Non-transactional: inside a step it is announced. */
    public static Snapshot snapshot(String name, Object... tiers) {
        List<String> names = names(tiers);
        List<String> affected = names.isEmpty() ? tiers().names() : names;
        return gate("snapshot", "snapshot '" + name + "' of " + String.join(", ", affected), affected,
                () -> session().snapshots().take(name, names));
    }

    /** Restores a snapshot (verified first; the current state is kept as a snapshot). Non-transactional. */
    public static Snapshots.Restored restore(String name, Object... tiers) {
        List<String> names = names(tiers);
        List<String> affected = names.isEmpty() ? tiers().names() : names;
        return gate("restore", "restore snapshot '" + name + "' over " + String.join(", ", affected)
                + " (the current state is kept as a snapshot first)", affected, () -> restoreKeepingLocks(session(), name, names));
    }

    /**
     * Restores a snapshot, refused while another run (another process, or another session of this one) holds a restored
     * tier. This session's own run locks live outside the tier files, so they stay as they are.
     */
    public static Snapshots.Restored restoreKeepingLocks(Session session, String name, List<String> tierNames) {
        Snapshot s = session.snapshots().verifyForRestore(name, tierNames);
        List<Tier> affected = new ArrayList<>();
        for (Snapshot.SnapshotFile f : s.files()) {
            if ((tierNames == null || tierNames.isEmpty() || tierNames.contains(f.tier())) && session.tiers().has(f.tier())) {
                affected.add(session.tier(f.tier()));
            }
        }
        // A damaged tier cannot be asked for an older Sluice's sluice_lock row (its pages are unreadable): only its lock file.
        List<Tier> damaged = affected.stream().filter(t -> dev.sluice.tier.TierInternals.damage(t) != null).toList();
        List<Tier> sound = affected.stream().filter(t -> !damaged.contains(t)).toList();
        dev.sluice.history.RunLocks.refuseIfHeld(session.workspace().dir(), sound, dev.sluice.history.Who.current());
        dev.sluice.history.RunLocks.refuseIfFilesHeld(session.workspace().dir(), damaged.stream().map(Tier::config).toList(),
                dev.sluice.history.Who.current());
        return session.snapshots().restore(s, tierNames); // verified above: its files are hashed once
    }

    public static List<Snapshot> snapshots() {
        return session().snapshots().list();
    }

    /** Retention: keeps the newest {@code keep} snapshots. Deletes files: inside a step it is announced (described in a dry run). */
    public static List<String> prune(int keep) {
        return prune(keep, "");
    }

    /** Retention of one family: keeps the newest {@code keep} snapshots whose name starts with {@code prefix}, deletes its older ones. */
    public static List<String> prune(int keep, String prefix) {
        String what = prefix == null || prefix.isEmpty() ? "snapshots" : "snapshots named " + prefix + "…";
        List<String> gone = session().nonTransactional().perform(new NonTransactional.Action("prune", "prune " + what
                + ", keeping the newest " + keep, List.of(), false), () -> session().snapshots().prune(keep, prefix));
        return gone == null ? List.of() : gone;
    }

    /**
     * A logical SQL dump of a SQLite tier; a relative file is placed in the workspace. It writes a file, so inside a step
     * it goes through the gate: announced, and only described in a dry run (returns null then). It reads on the tier's own
     * connection, inside the step's transaction if one is open.
     */
    public static Path dump(Object tier, String file) {
        String name = nameOf(tier);
        return session().nonTransactional().perform(new NonTransactional.Action("dump", "dump tier '" + name + "' as SQL to " + file,
                List.of(name), false), () -> session().snapshots().dump(name, Path.of(file)));
    }

    /**
     * Archives a SQLite tier's file in place as {@code FILE + suffix} (seed 003: {@code proposals.db.archived_TIMESTAMP}).
     * Moving a database under an open connection can corrupt it, so this first detaches the file from every other tier's
     * connection (a copy leaves its source attached), releases this run's lock on it, checks that no other connection
     * holds it, closes the tier (it is gone for the rest of this session, like a missing optional tier), then renames the
     * file and reads the moved file back (counts, integrity_check, SHA-256). Non-transactional: announced, confirmed in
     * step mode, only described in a dry run (returns null then). Give it a step of its own, after the copies are committed.
     */
    public static dev.sluice.snapshot.Archive.Archived archive(Object tier, String suffix) {
        Tier t = tier(nameOf(tier));
        if (t.engine() != dev.sluice.workspace.Engine.SQLITE || t.file() == null) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "archive(" + t.name() + ") moves a SQLite file; tier '" + t.name() + "' is "
                    + t.engine().label() + ". Archive it with the engine's own tools.");
        }
        Path file = t.file().toAbsolutePath().normalize();
        String name = t.name();
        return gate("archive", "archive tier '" + name + "': close Sluice's connection to " + file + ", then move it to " + file.getFileName()
                + suffix + " (the tier is gone for the rest of this session)", List.of(name), () -> {
            for (Tier other : tiers()) {
                if (other != t && other.engine() == dev.sluice.workspace.Engine.SQLITE) {
                    detachFile(other, file, name);
                }
            }
            dev.sluice.history.RunLocks.release(t, dev.sluice.history.Who.current());
            dev.sluice.snapshot.Archive.requireUnused(name, file);
            session().tiers().retire(name);
            return dev.sluice.snapshot.Archive.move(name, file, suffix);
        });
    }

    /** DETACHes every schema of {@code other}'s connection that is {@code file}. */
    private static void detachFile(Tier other, Path file, String tierName) {
        for (var r : other.query("PRAGMA database_list")) {
            Object f = r.get("file");
            if (!"main".equals(r.get("name")) && f != null && !f.toString().isEmpty()
                    && Path.of(f.toString()).toAbsolutePath().normalize().equals(file)) {
                try {
                    other.exec("DETACH DATABASE " + dev.sluice.tier.Identifiers.quote(String.valueOf(r.get("name"))));
                } catch (SluiceException e) {
                    throw new SluiceException(ErrorCode.LOCKED, "Cannot archive tier '" + tierName + "': tier '" + other.name()
                            + "' still reads it inside its open transaction (" + e.getMessage() + "). Archive in a step of its own, "
                            + "after the step that copied from it is committed.", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- freeze

    /** Holds the write lock of each tier (every tier when none is given) until {@link #thaw()} or the step ends. */
    public static void freeze(Tier... tiers) {
        List<Tier> list = tiers.length == 0 ? new ArrayList<>(tiers().all()) : Arrays.asList(tiers);
        List<String> names = list.stream().map(Tier::name).toList();
        // Freezing takes each tier's write lock inside its transaction, so it does not need the tiers outside one.
        session().nonTransactional().perform(new NonTransactional.Action("freeze", "freeze " + String.join(", ", names)
                + " (other writers wait until the step ends)", names, false), () -> {
            List<Tier> done = new ArrayList<>();
            try {
                for (Tier t : list) {
                    t.freeze();
                    done.add(t);
                }
            } catch (RuntimeException e) {
                done.forEach(Tier::thaw);
                throw e;
            }
            return null;
        });
    }

    /** Releases every freeze (commits the transactions freeze opened). */
    public static void thaw() {
        for (Tier t : tiers()) {
            t.thaw();
        }
    }

    // ---------------------------------------------------------------- actions that cannot run in a transaction

    /** VACUUM (or VACUUM INTO a file when {@code into} is given) on a SQLite tier. Non-transactional. */
    public static void vacuum(Object tier, String... into) {
        Tier t = tier(nameOf(tier));
        String sql = into.length == 0 ? "VACUUM" : "VACUUM INTO '" + into[0].replace("'", "''") + "'";
        gate("vacuum", sql + " on " + t.name(), List.of(t.name()), () -> t.exec(sql));
    }

    /** Switches a SQLite tier's journal mode (WAL, DELETE, …). Non-transactional. */
    public static String journalMode(Object tier, String mode) {
        Tier t = tier(nameOf(tier));
        if (!mode.matches("[A-Za-z]+")) {
            throw new SluiceException(ErrorCode.USAGE, "journalMode(" + t.name() + ", " + mode + "): the mode is a word such as WAL or DELETE.");
        }
        return gate("journal_mode", "PRAGMA journal_mode = " + mode + " on " + t.name(), List.of(t.name()),
                () -> String.valueOf(t.query("PRAGMA journal_mode = " + mode).value()));
    }

    /**
     * {@code PRAGMA wal_checkpoint(MODE)} on a SQLite tier (PASSIVE, FULL, RESTART or TRUNCATE): copies the WAL into the
     * main file. Non-transactional. Returns SQLite's row: busy (0 when it completed), WAL frames, frames checkpointed.
     */
    public static dev.sluice.tier.Rows checkpoint(Object tier, String mode) {
        Tier t = tier(nameOf(tier));
        if (!mode.matches("(?i)PASSIVE|FULL|RESTART|TRUNCATE")) {
            throw new SluiceException(ErrorCode.USAGE, "checkpoint(" + t.name() + ", " + mode + "): the mode is PASSIVE, FULL, RESTART or TRUNCATE.");
        }
        return gate("checkpoint", "PRAGMA wal_checkpoint(" + mode.toUpperCase(java.util.Locale.ROOT) + ") on " + t.name(), List.of(t.name()),
                () -> t.query("PRAGMA wal_checkpoint(" + mode.toUpperCase(java.util.Locale.ROOT) + ")"));
    }

    /** ATTACHes a database file to a tier's connection under {@code schema}. Non-transactional. */
    public static void attach(Object tier, String file, String schema) {
        Tier t = tier(nameOf(tier));
        gate("attach", "ATTACH " + file + " AS " + schema + " on " + t.name(), List.of(t.name()),
                () -> t.exec("ATTACH DATABASE ? AS " + dev.sluice.tier.Identifiers.quote(schema), file));
    }

    /** DETACHes {@code schema} from a tier's connection. Non-transactional. */
    public static void detach(Object tier, String schema) {
        Tier t = tier(nameOf(tier));
        gate("detach", "DETACH " + schema + " on " + t.name(), List.of(t.name()),
                () -> t.exec("DETACH DATABASE " + dev.sluice.tier.Identifiers.quote(schema)));
    }

    private static <T> T gate(String verb, String description, List<String> tiers, java.util.function.Supplier<T> body) {
        return session().nonTransactional().perform(new NonTransactional.Action(verb, description, tiers, true), body);
    }

    // ---------------------------------------------------------------- verify

    /**
     * A named check: evaluates {@code check} now and returns its outcome (a failure is data, not an exception). A check
     * that fails by throwing an {@code AssertionError} keeps its message as the detail: in a playbook that is Groovy's
     * power-assert diagram of the values compared (the loader makes an {@code expect} closure's condition an assert).
     */
    public static Expectation expect(String name, java.util.function.BooleanSupplier check) {
        long t0 = System.nanoTime();
        try {
            boolean ok = check.getAsBoolean();
            return new Expectation(name, ok, ok ? null : "was false", (System.nanoTime() - t0) / 1_000_000);
        } catch (AssertionError e) {
            return new Expectation(name, false, e.getMessage() == null ? "was false" : e.getMessage().strip(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            return new Expectation(name, false, e.getClass().getSimpleName() + ": " + e.getMessage(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * Marks what this console input shows as a value that cannot repeat (a time, a random number, a generated id): the
     * journal records it as such, and replay runs the input but compares none of its values. Returns {@code value}:
     * {@code varies(tier1.query("SELECT now()"))}.
     */
    public static <T> T varies(T value) {
        session().markVaries();
        return value;
    }

    // ---------------------------------------------------------------- migrations and schema (idempotent)

    /** Applies the {@code *.sql} files of {@code dir} (relative: to the workspace) in lexical order, once each. */
    public static dev.sluice.history.MigrateResult migrate(Object tier, String dir) {
        Path p = Path.of(dir);
        if (!p.isAbsolute()) {
            p = workspace().dir().resolve(dir);
        }
        return dev.sluice.history.Migrations.migrate(tier(nameOf(tier)), p);
    }

    /** CREATE TABLE unless the table exists. */
    public static dev.sluice.schema.SchemaChange createTable(Object tier, String ddl) {
        return dev.sluice.schema.Schema.createTable(tier(nameOf(tier)), ddl);
    }

    /** ALTER TABLE … ADD COLUMN unless the column exists (checked in the catalogue). */
    public static dev.sluice.schema.SchemaChange addColumn(Object tier, String table, String columnDefinition) {
        return dev.sluice.schema.Schema.addColumn(tier(nameOf(tier)), table, columnDefinition);
    }

    /** CREATE INDEX unless an index of that name exists. */
    public static dev.sluice.schema.SchemaChange createIndex(Object tier, String ddl) {
        return dev.sluice.schema.Schema.createIndex(tier(nameOf(tier)), ddl);
    }

    /** SQLite's 12-step table rebuild to the shape of {@code createTableDdl}, keeping indexes, triggers and views. */
    public static dev.sluice.schema.SchemaChange rebuild(Object tier, String table, String createTableDdl) {
        return dev.sluice.schema.Schema.rebuild(tier(nameOf(tier)), table, createTableDdl, java.util.Map.of());
    }

    /** As {@link #rebuild(Object, String, String)}, with SQL expressions for some new columns ({@code [title: "trim(title)"]}). */
    public static dev.sluice.schema.SchemaChange rebuild(Object tier, String table, String createTableDdl, java.util.Map<String, String> expressions) {
        return dev.sluice.schema.Schema.rebuild(tier(nameOf(tier)), table, createTableDdl, expressions);
    }

    // ---------------------------------------------------------------- moving data (README "Moving data")

    /** Copies a table between tiers, verified by count and checksum; all or nothing. */
    public static CopyResult copy(Tier from, String table, Tier to) {
        return TableCopy.copy(from, table, to, announced(CopyOptions.defaults()));
    }

    /** Copies a table into another table name on the target. */
    public static CopyResult copy(Tier from, String table, Tier to, String into) {
        return TableCopy.copy(from, table, to, announced(CopyOptions.defaults().into(into)));
    }

    public static CopyResult copy(Tier from, String table, Tier to, CopyOptions options) {
        return TableCopy.copy(from, table, to, announced(options));
    }

    /** Groovy's named form: {@code copy from: tier1, table: 'tasks', to: ws, into: 'x', where: 'id > 5', columns: [...]}. */
    public static CopyResult copy(Map<String, ?> args) {
        requireKeys("copy", args, Set.of("from", "table", "to", "into", "where", "columns", "verify", "castTimestamps", "batchRows",
                "walSwitchRows"), Set.of("from", "table", "to"));
        return TableCopy.copy(tierOf(args.get("from")), args.get("table").toString(), tierOf(args.get("to")), announced(CopyOptions.of(args)));
    }

    /** Copies several tables (of one or more tiers) into {@code to} in one transaction; each keeps its name. */
    public static List<CopyResult> consolidate(Tier to, TableRef... sources) {
        return TableCopy.consolidate(to, List.of(sources), announced(CopyOptions.defaults()));
    }

    /** Appends several tables (of one or more tiers) into the one table {@code into} on {@code to}, in one transaction. */
    public static List<CopyResult> consolidate(Tier to, String into, TableRef... sources) {
        return TableCopy.consolidate(to, List.of(sources), announced(CopyOptions.defaults().into(into)));
    }

    /**
     * Runs {@code body} over the source's keys in committed batches of {@code batchRows}; resumable, time-capped. It
     * commits as it goes, so it is non-transactional: inside a step it is announced, asked for in step mode, only
     * described in a dry run, and runs between the step's transactions (before the step writes to the tier).
     */
    public static BackfillResult backfill(Tier tier, String source, int batchRows, Backfill.Body body) {
        return backfill(tier, source, BackfillOptions.defaults().batchRows(batchRows), body);
    }

    public static BackfillResult backfill(Tier tier, String source, Backfill.Body body) {
        return backfill(tier, source, BackfillOptions.defaults(), body);
    }

    public static BackfillResult backfill(Tier tier, String source, BackfillOptions options, Backfill.Body body) {
        return backfillGate(tier, source, options, () -> Backfill.run(tier, source, withEvents(options), body));
    }

    /** The SQL form: {@code backfill(tier1, "UPDATE t SET c = … WHERE id BETWEEN :lo AND :hi")}. */
    public static BackfillResult backfill(Tier tier, String sql) {
        return backfill(tier, sql, BackfillOptions.defaults());
    }

    public static BackfillResult backfill(Tier tier, String sql, int batchRows) {
        return backfill(tier, sql, BackfillOptions.defaults().batchRows(batchRows));
    }

    public static BackfillResult backfill(Tier tier, String sql, BackfillOptions options) {
        return backfillGate(tier, sql, options, () -> Backfill.sql(tier, sql, withEvents(options)));
    }

    private static BackfillResult backfillGate(Tier tier, String source, BackfillOptions o, java.util.function.Supplier<BackfillResult> body) {
        String first = source.strip().split("\n")[0];
        return gate("backfill", "backfill " + (o.name() == null ? "" : "'" + o.name() + "' ") + "on " + tier.name() + " ("
                + (first.length() > 80 ? first.substring(0, 79) + "…" : first) + ") in committed batches of " + o.batchRows()
                + " rows, " + dev.sluice.tier.Format.duration(o.cap()) + " cap per batch", List.of(tier.name()), body);
    }

    /** Compares two tables by bisection over key ranges: equal or not, and the added/removed/changed keys. */
    public static Diff diff(TableRef a, TableRef b) {
        return TableDiff.diff(a, b, events());
    }

    /** Compares {@code n} random rows of {@code table} by key, field by field (seed 004). */
    public static SpotCheck spotCheck(Tier a, Tier b, String table, int n) {
        return SpotChecks.check(a, b, table, n, new Random());
    }

    // ---------------------------------------------------------------- helpers

    /** The bound session's listener; none when the DSL is used on tiers without a session. */
    private static dev.sluice.data.DataEvents events() {
        Session s = CURRENT.get();
        return s == null ? dev.sluice.data.DataEvents.NONE : s.events();
    }

    /** Copy notes and progress go to the session's front end unless the caller named a sink or listener. */
    private static CopyOptions announced(CopyOptions o) {
        CopyOptions n = o.announce() != null ? o : o.announce(events()::note);
        return n.events() != dev.sluice.data.DataEvents.NONE ? n : n.events(events());
    }

    /** Backfill progress goes to the session's front end unless the caller named a listener. */
    private static BackfillOptions withEvents(BackfillOptions o) {
        return o.events() != dev.sluice.data.DataEvents.NONE ? o : o.events(events());
    }

    static List<String> names(Object... tiers) {
        List<String> out = new ArrayList<>();
        for (Object o : tiers) {
            out.add(nameOf(o));
        }
        return out;
    }

    private static Tier tierOf(Object o) {
        if (o instanceof Tier t) {
            return t;
        }
        if (o instanceof CharSequence s) {
            return tier(s.toString());
        }
        throw new SluiceException(ErrorCode.USAGE, "Expected a tier or a tier name, got " + o + ".");
    }

    private static void requireKeys(String call, Map<String, ?> args, Set<String> allowed, Set<String> required) {
        for (String k : args.keySet()) {
            if (!allowed.contains(k)) {
                throw new SluiceException(ErrorCode.USAGE, call + ": unknown argument '" + k + "'. Known: " + String.join(", ", new TreeSet<>(allowed)) + ".");
            }
        }
        for (String k : required) {
            if (args.get(k) == null) {
                throw new SluiceException(ErrorCode.USAGE, call + ": '" + k + "' is required, e.g. " + call + " from: tier1, table: 'tasks', to: tier2.");
            }
        }
    }

    static String nameOf(Object tier) {
        if (tier instanceof Tier t) {
            return t.name();
        }
        if (tier instanceof CharSequence s) {
            return s.toString();
        }
        throw new SluiceException(ErrorCode.USAGE, "Expected a tier or a tier name, got " + tier + ".");
    }
}
