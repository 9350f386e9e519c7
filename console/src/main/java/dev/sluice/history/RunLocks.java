package dev.sluice.history;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import java.time.Instant;
import java.util.Optional;

/**
 * One run at a time per tier: a row in the tier's {@code sluice_lock} (owner, host, pid, started, heartbeat). Written in
 * autocommit between steps, never inside a step's transaction. A second run is refused naming the holder; a stale lock
 * is reported as such and broken only deliberately ({@link #unlock}).
 */
public final class RunLocks {
    public static final String TABLE = "sluice_lock";
    /** A lock on another host whose heartbeat is older than this is reported as possibly stale. */
    public static final long SILENT_SECONDS = 15 * 60;
    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS sluice_lock (
              tier TEXT PRIMARY KEY,
              owner TEXT, host TEXT, pid INTEGER, started TEXT, heartbeat TEXT, purpose TEXT
            )""";

    private RunLocks() {
    }

    /** Takes the lock of a tier for {@code who}, or refuses naming the holder. */
    public static RunLock acquire(Tier tier, Who who, String purpose) {
        requireNoTransaction(tier);
        refuseIfHeld(tier, who);
        tier.exec(DDL.replace("sluice_lock (", tier.qualified(TABLE) + " ("));
        String now = Instant.now().toString();
        try {
            tier.exec("INSERT INTO " + tier.qualified(TABLE) + " (tier, owner, host, pid, started, heartbeat, purpose) VALUES (?,?,?,?,?,?,?)",
                    tier.name(), who.user(), who.host(), who.pid(), now, now, purpose);
        } catch (SluiceException e) {
            refuseIfHeld(tier, who); // someone got in between: name them
            throw e;
        }
        return new RunLock(tier.name(), who.user(), who.host(), who.pid(), now, now, purpose);
    }

    /** Refuses when another process holds the tier (used by runs that take no lock, such as --dry-run). */
    public static void refuseIfHeld(Tier tier, Who who) {
        Optional<RunLock> held = holder(tier);
        if (held.isPresent() && !(held.get().pid() == who.pid() && who.host().equals(held.get().host()))) {
            RunLock l = held.get();
            String stale = l.staleness(who.host(), SILENT_SECONDS);
            throw new SluiceException(ErrorCode.LOCKED, "Tier '" + tier.name() + "' is locked by " + l
                    + (stale == null ? ". Wait for that run to finish" : " — " + stale + ". Make sure no run is going on")
                    + ", or break the lock deliberately with 'sluice unlock " + tier.name() + "'.");
        }
    }

    public static Optional<RunLock> holder(Tier tier) {
        if (!tier.hasTable(TABLE)) {
            return Optional.empty();
        }
        var rows = tier.query("SELECT tier, owner, host, pid, started, heartbeat, purpose FROM " + tier.qualified(TABLE) + " WHERE tier = ?", tier.name());
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Row r = rows.get(0);
        return Optional.of(new RunLock((String) r.get(0), (String) r.get(1), (String) r.get(2), History.num(r.get(3)),
                (String) r.get(4), (String) r.get(5), (String) r.get(6)));
    }

    /** Refreshes the heartbeat of our own lock (between steps: the tier must have no open transaction). */
    public static void heartbeat(Tier tier, Who who) {
        if (tier.isClosed() || tier.inTransaction() || !tier.hasTable(TABLE)) {
            return; // closed: the tier was archived during the run, its lock released before
        }
        tier.exec("UPDATE " + tier.qualified(TABLE) + " SET heartbeat = ? WHERE tier = ? AND pid = ? AND host = ?", Instant.now().toString(),
                tier.name(), who.pid(), who.host());
    }

    /** Releases our own lock. */
    public static void release(Tier tier, Who who) {
        if (tier.isClosed() || !tier.hasTable(TABLE)) {
            return;
        }
        if (tier.inTransaction()) {
            tier.rollback();
        }
        tier.exec("DELETE FROM " + tier.qualified(TABLE) + " WHERE tier = ? AND pid = ? AND host = ?", tier.name(), who.pid(), who.host());
    }

    /** Breaks whatever lock the tier holds; returns the lock that was broken, if any. */
    public static Optional<RunLock> unlock(Tier tier) {
        Optional<RunLock> held = holder(tier);
        if (held.isPresent()) {
            tier.exec("DELETE FROM " + tier.qualified(TABLE) + " WHERE tier = ?", tier.name());
        }
        return held;
    }

    /**
     * A restore copies a snapshot's pages, and with them the {@code sluice_lock} rows of whatever run took it (a snapshot
     * taken inside a run holds that run's lock). Around a restore the lock state must stay what it was: call this
     * before, to refuse when another live run holds a tier, and {@link #reinstate} after, to put the rows back as they were.
     */
    public static java.util.Map<Tier, Optional<RunLock>> beforeRestore(java.util.Collection<Tier> tiers, Who who) {
        java.util.Map<Tier, Optional<RunLock>> held = new java.util.LinkedHashMap<>();
        for (Tier t : tiers) {
            Optional<RunLock> h = holder(t);
            if (h.isPresent() && h.get().staleness(who.host(), SILENT_SECONDS) == null
                    && !(h.get().pid() == who.pid() && who.host().equals(h.get().host()))) {
                refuseIfHeld(t, who); // a live run elsewhere: restoring would pull its data from under it
            }
            held.put(t, h);
        }
        return held;
    }

    /** After a restore: the lock rows are as they were before it (see {@link #beforeRestore}). */
    public static void reinstate(java.util.Map<Tier, Optional<RunLock>> held) {
        held.forEach((t, h) -> {
            if (t.isClosed() || !t.hasTable(TABLE)) {
                return;
            }
            t.exec("DELETE FROM " + t.qualified(TABLE));
            h.ifPresent(l -> t.exec("INSERT INTO " + t.qualified(TABLE) + " (tier, owner, host, pid, started, heartbeat, purpose) VALUES (?,?,?,?,?,?,?)",
                    l.tier(), l.owner(), l.host(), l.pid(), l.started(), l.heartbeat(), l.purpose()));
        });
    }

    private static void requireNoTransaction(Tier tier) {
        if (tier.inTransaction()) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' has an open transaction; a run lock is taken "
                    + "between transactions. Commit or roll back first.");
        }
    }
}
