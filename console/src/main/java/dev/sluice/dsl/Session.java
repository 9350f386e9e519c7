package dev.sluice.dsl;

import dev.sluice.data.DataEvents;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.nio.file.Path;

/**
 * An open workspace: its configuration, one live tier per name, and the services on them. The console, a playbook run
 * and a replay each hold one; {@link Sluice} exposes the current one to snippets and playbooks.
 */
public final class Session implements AutoCloseable {
    private final Workspace workspace;
    private final TierSet tiers;
    private final Snapshots snapshots;
    private volatile NonTransactional nonTransactional = NonTransactional.DIRECT;
    private volatile DataEvents events = DataEvents.NONE;
    private final java.util.concurrent.atomic.AtomicLong variesMarks = new java.util.concurrent.atomic.AtomicLong();

    private Session(Workspace workspace, TierSet tiers, String sluiceVersion) {
        this.workspace = workspace;
        this.tiers = tiers;
        this.snapshots = new Snapshots(tiers, sluiceVersion);
        TierInternals.addListener(tiers, new TierInternals.Listener() {
            @Override
            public TierInternals.RowsRead reading(Tier tier, String call, String table, String where) {
                return watched(tier, call, table, where);
            }

            @Override
            public TierInternals.Work working(String task, String unit, long total, long done) {
                return watchedWork(task, unit, total, done);
            }
        });
    }

    /**
     * A checksum's rows go to the front end as progress when it watches; the total is one count of the table, paid only
     * then (none with a WHERE clause: its rows are not counted twice).
     */
    private TierInternals.RowsRead watched(Tier tier, String call, String table, String where) {
        DataEvents e = events;
        if (!e.listening()) {
            return null;
        }
        long total = where == null ? ((Number) tier.query("SELECT count(*) FROM " + Identifiers.quote(table)).value()).longValue() : 0;
        DataEvents.Progress p = e.started(call + " " + tier.name() + "." + table, "rows", total, 0, false);
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        return new TierInternals.RowsRead() {
            @Override
            public void accept(long more) {
                long n = read.addAndGet(more);
                p.stepTo(total > 0 ? Math.min(total, n) : n); // a read that fell back to one reader reports some rows twice
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }

    /**
     * Work on the tiers' files (a snapshot's or a restore's phases, in bytes or tables) goes to the front end as progress
     * when it watches: the snapshot package reports through the tier set's hook, as a checksum does, so that it needs
     * nothing from the data package's events (dependencies point downward).
     */
    private TierInternals.Work watchedWork(String task, String unit, long total, long done) {
        DataEvents e = events;
        if (!e.listening()) {
            return null;
        }
        DataEvents.Progress p = e.started(task, unit, total, done, false);
        return new TierInternals.Work() {
            @Override
            public void at(long n) {
                p.stepTo(n);
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }

    public static Session open(Path dir) {
        return open(Workspace.load(dir));
    }

    /** As {@link #open(Path)}, on a workspace already loaded (a sandbox's, whose tiers are copies). */
    public static Session open(Workspace ws) {
        return new Session(ws, TierSet.open(ws), Sluice.version());
    }

    /** A session for the console and restore: a tier whose file is damaged is bound marked damaged, so integrity() and restore reach it. */
    public static Session openKeepingDamaged(Path dir) {
        Workspace ws = Workspace.load(dir);
        return new Session(ws, TierSet.open(ws, true), Sluice.version());
    }

    /** As {@link #openKeepingDamaged(Path)}, on a workspace already loaded (a sandbox's, whose tiers are copies). */
    public static Session openKeepingDamaged(Workspace ws) {
        return new Session(ws, TierSet.open(ws, true), Sluice.version());
    }

    public static Session of(TierSet tiers) {
        return new Session(tiers.workspace(), tiers, Sluice.version());
    }

    public Workspace workspace() {
        return workspace;
    }

    public TierSet tiers() {
        return tiers;
    }

    public Tier tier(String name) {
        return tiers.get(name);
    }

    public Snapshots snapshots() {
        return snapshots;
    }

    /** The gate non-transactional DSL calls go through (a running step installs its own). */
    public NonTransactional nonTransactional() {
        return nonTransactional;
    }

    /** Installs a gate for non-transactional actions; null restores the direct one. Returns the previous gate. */
    public NonTransactional useNonTransactional(NonTransactional gate) {
        NonTransactional prev = nonTransactional;
        nonTransactional = gate == null ? NonTransactional.DIRECT : gate;
        return prev;
    }

    /** Where DSL data work (copy, backfill) sends notes and progress: the front end that owns this session draws them. */
    public DataEvents events() {
        return events;
    }

    /** Installs the owner's listener for notes and progress (null: none); returns the previous one. */
    public DataEvents useEvents(DataEvents listener) {
        DataEvents prev = events;
        events = listener == null ? DataEvents.NONE : listener;
        return prev;
    }

    /**
     * How many times {@link Sluice#varies} was called on this session: the console reads it before and after each input,
     * and a change means the input marked what it shows as a value that cannot repeat (README "Replay").
     */
    public long variesMarks() {
        return variesMarks.get();
    }

    void markVaries() {
        variesMarks.incrementAndGet();
    }

    /** Rolls back anything still open and closes every tier (which releases every freeze). */
    @Override
    public void close() {
        tiers.close();
    }

    @Override
    public String toString() {
        return "Session[" + workspace.dir() + ", tiers " + String.join(", ", tiers.names()) + "]";
    }
}
