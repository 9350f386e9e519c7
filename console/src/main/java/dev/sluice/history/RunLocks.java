package dev.sluice.history;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One run at a time per tier, with locks that die with their holder: an OS file lock on a lock file beside each SQLite
 * database ({@link LockFiles}) and a session-level advisory lock on PostgreSQL ({@link AdvisoryLocks}). Nothing is written
 * into the tiers. A second run is refused at once, naming the holder of every locked tier in one message; a run killed
 * by any means leaves no lock behind, so the next run needs no {@code unlock}. Other JDBC engines are not locked.
 *
 * <p>OS file locks belong to the process, so the locks this JVM holds are kept in a registry: two sessions in one JVM (the
 * console and a run, tests) refuse each other as two processes do, and a lock file this JVM holds is never opened again
 * (closing any other channel on a file drops the process's POSIX locks on it). A lock belongs to the {@link Tier} object
 * that took it: the session owning that object may restore or repair under it; every other session is refused.
 */
public final class RunLocks {
    /** The table older versions wrote; read and dropped (when its holder is gone), never written. */
    public static final String TABLE = LegacyLockTable.TABLE;

    private static final Map<String, Entry> HELD = new LinkedHashMap<>();

    private record Entry(String key, Tier tier, RunLock lock, AutoCloseable resource, long pgKey, String runId) {
    }

    /** A tier someone else holds. {@code otherHost}: the holder runs elsewhere, so only a person can say it is gone. */
    private record Conflict(String tier, RunLock holder, boolean inProcess, boolean otherHost) {
    }

    private RunLocks() {
    }

    /**
     * Takes the run lock of every tier for one run, or none of them: when any tier is held, everything taken is given
     * back and one {@link ErrorCode#LOCKED} message names the holder of each held tier. Afterwards, {@code sluice_lock}
     * tables left by older versions whose holder is gone are dropped from writable tiers, with a note.
     */
    public static void acquire(Path workspace, Collection<Tier> tiers, Who who, String runId, String purpose, Consumer<String> notes) {
        String started = Instant.now().toString();
        List<Conflict> conflicts = new ArrayList<>();
        List<Tier> taken = new ArrayList<>();
        List<Tier> legacy = new ArrayList<>();
        synchronized (HELD) {
            forgetClosed();
            try {
                for (Tier t : tiers) {
                    requireNoTransaction(t);
                    Conflict c = take(workspace, t, who, runId, purpose, started);
                    if (c != null) {
                        conflicts.add(c);
                        continue;
                    }
                    taken.add(t);
                    legacyConflict(t, who, legacy).ifPresent(conflicts::add);
                }
            } catch (RuntimeException e) {
                taken.forEach(t -> release(t, who));
                throw e;
            }
            if (!conflicts.isEmpty()) {
                taken.forEach(t -> release(t, who));
                throw refusal(conflicts);
            }
        }
        for (Tier t : legacy) {
            Optional<RunLock> was = LegacyLockTable.holder(t);
            LegacyLockTable.drop(t);
            notes.accept("tier '" + t.name() + "': dropped the sluice_lock table an older Sluice left"
                    + was.map(l -> " (its run, pid " + l.pid() + " on this host, is gone)").orElse(" (empty)")
                    + "; run locks no longer live in the tiers");
        }
    }

    /**
     * Refuses when a tier is held by another process or another session of this JVM (a dry run, repair, restore): the
     * same check as {@link #acquire}, taking nothing and writing nothing. Locks held through these very {@code tiers}
     * objects are this session's own and pass.
     */
    public static void refuseIfHeld(Path workspace, Collection<Tier> tiers, Who who) {
        List<Conflict> conflicts = new ArrayList<>();
        synchronized (HELD) {
            forgetClosed();
            Set<Tier> own = Collections.newSetFromMap(new IdentityHashMap<>());
            own.addAll(tiers);
            for (Tier t : tiers) {
                Entry mine = null;
                Conflict c = null;
                for (String k : keys(workspace, t)) {
                    Entry e = HELD.get(k);
                    if (e != null && own.contains(e.tier())) {
                        mine = e;
                    } else if (e != null && c == null) {
                        c = new Conflict(t.name(), e.lock(), true, false);
                    }
                }
                if (c == null && mine == null) {
                    c = probe(workspace, t, who);
                }
                if (c == null) {
                    c = legacyConflict(t, who, null).orElse(null);
                }
                if (c != null) {
                    conflicts.add(c);
                }
            }
        }
        if (!conflicts.isEmpty()) {
            throw refusal(conflicts);
        }
    }

    /**
     * Before a run opens its tiers: refuses, naming every holder, when another process or session holds the lock file of
     * any of these SQLite tiers. A run paused inside a step may hold a tier's write lock, so opening the tier would wait
     * out the busy timeout and fail with a database error; this names the run instead, at once.
     */
    public static void refuseIfFilesHeld(Path workspace, Collection<TierConfig> tiers, Who who) {
        List<Conflict> conflicts = new ArrayList<>();
        synchronized (HELD) {
            forgetClosed();
            for (TierConfig c : tiers) {
                if (c.engine() != Engine.SQLITE || c.sqliteFile() == null || !Files.exists(c.sqliteFile())) {
                    continue;
                }
                Conflict found = null;
                for (Path f : LockFiles.candidates(workspace, c)) {
                    Entry e = HELD.get(f.toString());
                    if (e != null) {
                        found = new Conflict(c.name(), e.lock(), true, false);
                        break;
                    }
                    LockFiles.Probe p = LockFiles.probe(c.name(), f);
                    if (p.locked()) {
                        found = fileConflict(c, p, who);
                        break;
                    }
                }
                if (found != null) {
                    conflicts.add(found);
                }
            }
        }
        if (!conflicts.isEmpty()) {
            throw refusal(conflicts);
        }
    }

    /** Who holds the tier now (this process included), if anyone. */
    static Optional<RunLock> holder(Path workspace, Tier tier) {
        Who who = Who.current();
        synchronized (HELD) {
            forgetClosed();
            for (String k : keys(workspace, tier)) {
                Entry e = HELD.get(k);
                if (e != null) {
                    return Optional.of(e.lock());
                }
            }
            Conflict c = probe(workspace, tier, who);
            if (c == null) {
                c = legacyConflict(tier, who, null).orElse(null);
            }
            return c == null ? Optional.empty() : Optional.of(c.holder());
        }
    }

    /** True while this JVM holds the tier's run lock through this very {@code Tier} object. */
    public static boolean holds(Tier tier) {
        synchronized (HELD) {
            return HELD.values().stream().anyMatch(e -> e.tier() == tier);
        }
    }

    /** Keeps a PostgreSQL lock session in use, and takes the lock again if its session was lost; file locks need nothing. */
    public static void heartbeat(Tier tier, Who who) {
        synchronized (HELD) {
            for (Iterator<Entry> it = HELD.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.tier() != tier || !(e.resource() instanceof AdvisoryLocks.Held h) || AdvisoryLocks.alive(h)) {
                    continue;
                }
                it.remove();
                h.close();
                AdvisoryLocks.Held again = AdvisoryLocks.tryAcquire(tier, e.pgKey(), who, e.runId());
                if (again == null) {
                    throw new SluiceException(ErrorCode.LOCKED, "Lost the run lock of tier '" + tier.name() + "': its PostgreSQL session "
                            + "ended and " + AdvisoryLocks.holder(tier, e.pgKey()).map(RunLock::toString).orElse("another session")
                            + " took it. Stop here; run the playbook again once that run is over.");
                }
                HELD.put(e.key(), new Entry(e.key(), tier, e.lock(), again, e.pgKey(), e.runId()));
                return;
            }
        }
    }

    /** Gives back the run lock this JVM holds through {@code tier} (no-op when none): a lock file is deleted first. */
    public static void release(Tier tier, Who who) {
        List<Entry> gone = new ArrayList<>();
        synchronized (HELD) {
            HELD.values().removeIf(e -> e.tier() == tier && gone.add(e));
            for (Entry e : gone) {
                closeQuietly(e.resource());
            }
        }
    }

    /**
     * {@code sluice unlock}: clears what a gone holder left (a lock file nobody locks, an older version's
     * {@code sluice_lock} table) and breaks the lock of a holder on another host (a shared file system the OS cannot
     * settle). Refuses, changing nothing, when any holder is alive on this host or in this process. A SQLite tier is only
     * opened (through {@code open}, closed again here) when its lock files are free, to look for an older version's
     * table: a tier a live run is writing would make the open wait. Returns one line per tier saying what was done.
     */
    public static List<String> unlock(Path workspace, List<TierConfig> tiers, Who who, Function<TierConfig, Tier> open) {
        List<String> refusals = new ArrayList<>();
        List<Runnable> actions = new ArrayList<>();
        List<String> done = new ArrayList<>();
        List<Tier> opened = new ArrayList<>();
        try {
            synchronized (HELD) {
                forgetClosed();
                for (TierConfig c : tiers) {
                    int before = actions.size() + refusals.size();
                    planUnlock(workspace, c, who, open, opened, refusals, actions, done);
                    if (actions.size() + refusals.size() == before) {
                        done.add(c.name() + " was not locked; nothing to do.");
                    }
                }
                if (!refusals.isEmpty()) {
                    throw new SluiceException(ErrorCode.LOCKED, String.join(" ", refusals) + " Nothing was unlocked.");
                }
                actions.forEach(Runnable::run);
            }
        } finally {
            opened.forEach(Tier::close);
        }
        return done;
    }

    private static void planUnlock(Path workspace, TierConfig c, Who who, Function<TierConfig, Tier> open, List<Tier> opened,
                                   List<String> refusals, List<Runnable> actions, List<String> done) {
        if (c.engine() == Engine.SQLITE && c.sqliteFile() != null) {
            for (Path f : LockFiles.candidates(workspace, c)) {
                Entry e = HELD.get(f.toString());
                if (e != null) {
                    refusals.add("Tier '" + c.name() + "' is locked by " + e.lock() + ", a run of this very process: it is alive, and its "
                            + "lock ends with it.");
                    return;
                }
            }
            for (Path f : LockFiles.candidates(workspace, c)) {
                LockFiles.Probe p = LockFiles.probe(c.name(), f);
                if (!p.exists()) {
                    continue;
                }
                if (!p.locked()) {
                    actions.add(() -> LockFiles.deleteIfUnlocked(f));
                    done.add("Removed the stale lock file " + f + " of " + c.name() + describe(p.holder(), " (left by ", ", whose process is gone)")
                            + ".");
                } else if (p.holder() == null || p.holder().host() == null || p.holder().host().equals(who.host())) {
                    refusals.add("Tier '" + c.name() + "' is locked by " + describe(p.holder(), "", "") + ", alive on this host (it holds "
                            + f + "); Sluice does not break a live run's lock. Wait for that run to finish, or stop it.");
                    return;
                } else {
                    actions.add(() -> LockFiles.breakFile(f));
                    done.add("Unlocked " + c.name() + " (held by " + p.holder() + " on another host; removed " + f + "). If that run is "
                            + "still going, stop it: it no longer holds the tier.");
                    return; // its writes may still be going on: do not open the file
                }
            }
        }
        Tier t = open.apply(c);
        opened.add(t);
        if (t.engine() == Engine.POSTGRESQL) {
            for (String k : keys(workspace, t)) {
                Entry e = HELD.get(k);
                if (e != null) {
                    refusals.add("Tier '" + c.name() + "' is locked by " + e.lock() + ", a run of this very process: it is alive, and its "
                            + "lock ends with it.");
                    return;
                }
            }
            Optional<RunLock> h = AdvisoryLocks.holder(t, AdvisoryLocks.key(t));
            if (h.isPresent()) {
                refusals.add("Tier '" + t.name() + "' is locked by " + h.get() + " through its PostgreSQL session (backend "
                        + AdvisoryLocks.backend(h.get()) + "); the lock ends with that session. If that run is gone, end the session: "
                        + "SELECT pg_terminate_backend(" + AdvisoryLocks.backend(h.get()) + ").");
                return;
            }
        }
        if (LegacyLockTable.present(t)) {
            Optional<RunLock> h = LegacyLockTable.holder(t);
            if (h.isPresent() && h.get().aliveOn(who.host())) {
                refusals.add("Tier '" + t.name() + "' is locked by " + h.get() + " (" + h.get().where() + "), alive on this host. Wait for "
                        + "that run to finish, or stop it.");
            } else if (t.readOnly()) {
                refusals.add("Tier '" + t.name() + "' holds an older Sluice's sluice_lock table" + h.map(l -> " (" + l + ")").orElse("")
                        + ", but it is read-only here. Remove \"readOnly\" from its entry in sluice.json to clear it.");
            } else {
                actions.add(() -> LegacyLockTable.drop(t));
                done.add("Unlocked " + t.name() + h.map(l -> " (held by " + l + ")").orElse("") + ": dropped the sluice_lock table an "
                        + "older Sluice left.");
            }
        }
    }

    // ---------------------------------------------------------------- internals

    /** Takes one tier's lock; returns the conflict when someone holds it. */
    private static Conflict take(Path workspace, Tier t, Who who, String runId, String purpose, String started) {
        for (String k : keys(workspace, t)) {
            Entry e = HELD.get(k);
            if (e != null) {
                return new Conflict(t.name(), e.lock(), true, false);
            }
        }
        if (t.engine() == Engine.SQLITE && t.file() != null) {
            Path at = LockFiles.location(workspace, t.config());
            for (Path other : LockFiles.candidates(workspace, t.config())) {
                if (!other.equals(at)) {
                    LockFiles.Probe p = LockFiles.probe(t.name(), other);
                    if (p.locked()) {
                        return fileConflict(t.config(), p, who);
                    }
                }
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                LockFiles.Held h = LockFiles.tryAcquire(t.name(), at, LockFiles.details(t.name(), LockFiles.realDatabase(t.config()), who, runId,
                        purpose, started));
                if (h != null) {
                    HELD.put(at.toString(), new Entry(at.toString(), t, new RunLock(t.name(), who.user(), who.host(), who.pid(), started,
                            purpose, at.toString()), h, 0, runId));
                    return null;
                }
                LockFiles.Probe p = LockFiles.probe(t.name(), at);
                if (p.locked()) {
                    return fileConflict(t.config(), p, who);
                }
            }
            return new Conflict(t.name(), new RunLock(t.name(), null, null, -1, null, null, at.toString()), false, false);
        }
        if (t.engine() == Engine.POSTGRESQL) {
            long key = AdvisoryLocks.key(t);
            AdvisoryLocks.Held h = AdvisoryLocks.tryAcquire(t, key, who, runId);
            if (h == null) {
                RunLock holder = AdvisoryLocks.holder(t, key).orElse(new RunLock(t.name(), null, null, -1, null, null,
                        "PostgreSQL advisory lock " + key));
                return new Conflict(t.name(), holder, false, false);
            }
            String k = pgKey(t, key);
            HELD.put(k, new Entry(k, t, new RunLock(t.name(), who.user(), who.host(), who.pid(), started, purpose,
                    "PostgreSQL advisory lock " + key), h, key, runId));
        }
        return null;
    }

    /** A holder found without taking anything (files, advisory lock), or null. */
    private static Conflict probe(Path workspace, Tier t, Who who) {
        if (t.engine() == Engine.SQLITE && t.file() != null) {
            for (Path f : LockFiles.candidates(workspace, t.config())) {
                LockFiles.Probe p = LockFiles.probe(t.name(), f);
                if (p.locked()) {
                    return fileConflict(t.config(), p, who);
                }
            }
        } else if (t.engine() == Engine.POSTGRESQL) {
            Optional<RunLock> h = AdvisoryLocks.holder(t, AdvisoryLocks.key(t));
            if (h.isPresent()) {
                return new Conflict(t.name(), h.get(), false, false);
            }
        }
        return null;
    }

    private static Conflict fileConflict(TierConfig t, LockFiles.Probe p, Who who) {
        RunLock h = p.holder();
        boolean otherHost = h != null && h.host() != null && !h.host().equals(who.host());
        return new Conflict(t.name(), h, false, otherHost);
    }

    /**
     * An older version's {@code sluice_lock} row: a live holder (or one on another host) is a conflict; a gone one or an
     * empty table is not, and is queued in {@code dropLater} when given and the tier is writable.
     */
    private static Optional<Conflict> legacyConflict(Tier t, Who who, List<Tier> dropLater) {
        if (!LegacyLockTable.present(t)) {
            return Optional.empty();
        }
        Optional<RunLock> h = LegacyLockTable.holder(t);
        if (h.isPresent() && !h.get().goneOn(who.host())) {
            boolean otherHost = h.get().host() == null || !h.get().host().equals(who.host());
            return Optional.of(new Conflict(t.name(), h.get(), false, otherHost));
        }
        if (dropLater != null && !t.readOnly()) {
            dropLater.add(t);
        }
        return Optional.empty();
    }

    /** One line naming every held tier, grouped by holder, and what to do. */
    private static SluiceException refusal(List<Conflict> conflicts) {
        Map<String, List<String>> byHolder = new LinkedHashMap<>();
        List<String> elsewhere = new ArrayList<>();
        int localHolders = 0;
        for (Conflict c : conflicts) {
            String who = describe(c.holder(), "", "") + (c.inProcess() ? " in this process" : "")
                    + (c.holder() != null && c.holder().where() != null && c.holder().where().startsWith("a sluice_lock row")
                    ? " (" + c.holder().where() + ")" : "");
            if (!byHolder.containsKey(who) && !c.otherHost()) {
                localHolders++;
            }
            byHolder.computeIfAbsent(who, k -> new ArrayList<>()).add(c.tier());
            if (c.otherHost()) {
                elsewhere.add(c.tier());
            }
        }
        StringBuilder sb = new StringBuilder();
        byHolder.forEach((who, tiers) -> {
            sb.append(sb.length() == 0 ? "T" : "; t").append(tiers.size() == 1 ? "ier '" + tiers.get(0) + "' is"
                    : "iers '" + String.join("', '", tiers) + "' are").append(" locked by ").append(who);
        });
        sb.append(". ");
        if (localHolders > 0) {
            sb.append(localHolders > 1 ? "Wait for those runs to finish" : "Wait for that run to finish");
        }
        if (!elsewhere.isEmpty()) {
            sb.append(localHolders > 0 ? "; the holder of " + String.join(", ", elsewhere) + " is on another host: if that run is gone, "
                            : "The holder is on another host: if that run is gone, ")
                    .append("break its lock deliberately with 'sluice unlock ").append(String.join(" ", elsewhere)).append("'");
        }
        sb.append(".");
        return new SluiceException(ErrorCode.LOCKED, sb.toString());
    }

    private static String describe(RunLock l, String prefix, String suffix) {
        if (l == null) {
            return "";
        }
        if (l.owner() == null && l.host() == null) {
            return prefix + "an unnamed holder (" + l.where() + ")" + suffix;
        }
        return prefix + l + suffix;
    }

    /** Registry keys under which a lock of this tier may be held. */
    private static List<String> keys(Path workspace, Tier t) {
        if (TierInternals.isClosed(t)) {
            return List.of();
        }
        if (t.engine() == Engine.SQLITE && t.file() != null) {
            return LockFiles.candidates(workspace, t.config()).stream().map(Path::toString).toList();
        }
        if (t.engine() == Engine.POSTGRESQL) {
            return List.of(pgKey(t, AdvisoryLocks.key(t)));
        }
        return List.of();
    }

    private static String pgKey(Tier t, long key) {
        String url = t.config().url();
        int q = url.indexOf('?');
        return "postgresql:" + key + "@" + (q < 0 ? url : url.substring(0, q));
    }

    /** A closed tier runs nothing more: whatever lock it held is given back (a session that ended without releasing). */
    private static void forgetClosed() {
        HELD.values().removeIf(e -> {
            if (TierInternals.isClosed(e.tier())) {
                closeQuietly(e.resource());
                return true;
            }
            return false;
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // The process ending releases it anyway.
        }
    }

    private static void requireNoTransaction(Tier tier) {
        if (tier.inTransaction()) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' has an open transaction; a run lock is taken "
                    + "between transactions. Commit or roll back first.");
        }
    }
}
