package dev.sluice.playbook;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How a step that wrote to more than one commit unit commits (a unit: one tier, or an atomic step's SQLite tiers on
 * their shared connection). Everything that can refuse is asked before the first COMMIT; the order is chosen so that
 * what can still fail after the first COMMIT is as unlikely as it can be, and restorable:
 * <ol>
 *   <li>units whose COMMIT readers can block (SQLite in a rollback-journal mode, the shared connection) first, each
 *       retried on SQLITE_BUSY for a bounded wait with a status line: when the first runs out, nothing is committed;</li>
 *   <li>SQLite WAL tiers next: readers never block their COMMIT (one that holds a rollback-journal participant's file
 *       ATTACHed, because a copy read it there, commits before that participant, whose COMMIT would otherwise wait on it);</li>
 *   <li>server tiers last, their deferred constraints checked before anything commits ({@code SET CONSTRAINTS ALL
 *       IMMEDIATE}): they are the only units no cheap pre-step snapshot can restore, and whatever committed before them
 *       is SQLite, which can.</li>
 * </ol>
 */
final class MultiTierCommit {
    enum Kind { ROLLBACK_JOURNAL, WAL, SERVER }

    /** One COMMIT: a tier on its own connection, or the tiers of an atomic step's shared connection. */
    record Unit(List<Tier> tiers, Kind kind) {
        Tier first() {
            return tiers.get(0);
        }

        List<String> names() {
            return tiers.stream().map(Tier::name).toList();
        }

        String label() {
            return tiers.size() == 1 ? "tier '" + first().name() + "'" : "tiers " + String.join(", ", names()) + " (one COMMIT)";
        }
    }

    private MultiTierCommit() {
    }

    /** The bounded wait for readers before a COMMIT gives up: {@code SLUICE_COMMIT_WAIT} seconds, 30 by default. */
    static Duration defaultWait() {
        String v = System.getProperty("sluice.commitWait", System.getenv("SLUICE_COMMIT_WAIT"));
        if (v != null && !v.isBlank()) {
            try {
                return Duration.ofMillis((long) (Double.parseDouble(v.strip()) * 1000));
            } catch (NumberFormatException e) {
                // A bad value falls back to the default; the README names the variable.
            }
        }
        return Duration.ofSeconds(30);
    }

    static Kind kind(Tier t) {
        if (t.engine() != Engine.SQLITE) {
            return Kind.SERVER;
        }
        return "wal".equalsIgnoreCase(String.valueOf(t.query("PRAGMA journal_mode").value())) ? Kind.WAL : Kind.ROLLBACK_JOURNAL;
    }

    /** The units of {@code targets} in commit order (see the class comment); {@code group} commits as one unit. */
    static List<Unit> order(List<Tier> targets, List<Tier> group) {
        List<Unit> rj = new ArrayList<>();
        List<Unit> wal = new ArrayList<>();
        List<Unit> server = new ArrayList<>();
        if (!group.isEmpty()) {
            rj.add(new Unit(List.copyOf(group), Kind.ROLLBACK_JOURNAL));
        }
        for (Tier t : targets) {
            if (group.contains(t)) {
                continue;
            }
            Kind k = kind(t);
            (k == Kind.ROLLBACK_JOURNAL ? rj : k == Kind.WAL ? wal : server).add(new Unit(List.of(t), k));
        }
        // Rollback-journal units first, WAL next, unless a unit holds another's file ATTACHed (a copy read it there): a
        // WAL target that read a rollback-journal source then commits first, or the source's COMMIT would wait on it.
        List<Unit> sqlite = new ArrayList<>(rj);
        sqlite.addAll(wal);
        List<Unit> out = new ArrayList<>(holdersFirst(sqlite));
        out.addAll(server);
        return out;
    }

    /**
     * A tier whose file another participant's connection has ATTACHed (a copy read it there) cannot commit before that
     * participant ends its transaction: that participant commits first.
     */
    private static List<Unit> holdersFirst(List<Unit> units) {
        List<Unit> left = new ArrayList<>(units);
        List<Unit> out = new ArrayList<>();
        while (!left.isEmpty()) {
            Unit next = left.get(0);
            for (Unit u : left) {
                boolean heldByAnother = false;
                for (Unit other : left) {
                    if (other != u && holds(other, u)) {
                        heldByAnother = true;
                    }
                }
                if (!heldByAnother) {
                    next = u;
                    break;
                }
            }
            left.remove(next);
            out.add(next);
        }
        return out;
    }

    /** A file's real path (SQLite reports ATTACHed files with links resolved; a tier may name its file through one). */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static boolean holds(Unit holder, Unit held) {
        Set<Path> files = new LinkedHashSet<>();
        for (Tier t : holder.tiers()) {
            if (t.engine() != Engine.SQLITE || TierInternals.routed(t)) {
                continue;
            }
            t.each("PRAGMA database_list", r -> {
                Object f = r.get(2);
                if (!"main".equals(r.get(1)) && !"temp".equals(r.get(1)) && f != null && !f.toString().isEmpty()) {
                    files.add(real(Path.of(f.toString())));
                }
            });
        }
        return held.tiers().stream().anyMatch(t -> t.file() != null && files.contains(real(t.file())));
    }

    /** Server tiers: deferred constraints are checked now, so that their COMMIT cannot fail on them after another unit committed. */
    static void checkDeferred(List<Unit> units, String step) {
        for (Unit u : units) {
            if (u.kind() != Kind.SERVER || u.first().engine() != Engine.POSTGRESQL) {
                continue;
            }
            try (Statement st = TierInternals.connection(u.first()).createStatement()) {
                st.execute("SET CONSTRAINTS ALL IMMEDIATE");
            } catch (SQLException e) {
                throw new SluiceException(ErrorCode.EXPECTATION, "Step '" + step + "' breaks a deferred constraint on tier '" + u.first().name()
                        + "' (" + TierInternals.firstLine(e.getMessage()) + "); nothing was committed on any tier. Fix the step's data, then run it again.", e);
            }
        }
    }

    /**
     * Commits one unit; a SQLite unit retries COMMIT on SQLITE_BUSY (the transaction stays open) until {@code wait} has
     * passed, saying once a second whom it waits for. Throws the last LOCKED failure when the wait runs out.
     */
    static void commit(Unit u, Duration wait, RunListener listener) {
        if (u.kind() == Kind.SERVER) {
            TierInternals.commit(u.first());
            return;
        }
        Connection c = TierInternals.connection(u.first());
        Integer busy = busyTimeout(c);
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        String holders = null;
        try {
            setBusyTimeout(c, (int) Math.max(50, Math.min(1000, wait.toMillis())));
            while (true) {
                try {
                    TierInternals.commit(u.first());
                    return;
                } catch (SluiceException e) {
                    if (e.code() != ErrorCode.LOCKED || System.nanoTime() >= deadline) {
                        throw e;
                    }
                    if (holders == null) {
                        holders = holders(u);
                    }
                    listener.note("waiting for readers on " + u.label() + (holders.isEmpty() ? "" : " (" + holders + ")") + ", "
                            + seconds(Duration.ofMillis(Duration.ofNanos(System.nanoTime() - start).toSeconds() * 1000)) + " of " + seconds(wait));
                }
            }
        } finally {
            if (busy != null) {
                setBusyTimeout(c, busy);
            }
        }
    }

    private static Integer busyTimeout(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA busy_timeout")) {
            return rs.next() ? rs.getInt(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static void setBusyTimeout(Connection c, int ms) {
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + ms);
        } catch (SQLException e) {
            // Keeps the tier's own timeout: the wait is then counted in its steps.
        }
    }

    /**
     * Other processes that have a unit's file open, as "pid 123 python3" (Linux /proc), or this process's own
     * connections when one of them holds it; empty when unknown.
     */
    static String holders(Unit u) {
        List<String> out = new ArrayList<>();
        for (Tier t : u.tiers()) {
            String own = TierInternals.ownHolder(t);
            if (own != null) {
                out.add(own);
            }
            if (t.file() != null) {
                out.addAll(processesWith(t.file()));
            }
        }
        return String.join("; ", new LinkedHashSet<>(out));
    }

    static List<String> processesWith(Path file) {
        List<String> out = new ArrayList<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException e) {
            return out;
        }
        long me = ProcessHandle.current().pid();
        try (Stream<Path> pids = Files.list(proc)) {
            for (Path p : (Iterable<Path>) pids::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == me) {
                    continue;
                }
                try (Stream<Path> fds = Files.list(p.resolve("fd"))) {
                    boolean has = fds.anyMatch(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(target);
                        } catch (IOException | UnsupportedOperationException e) {
                            return false;
                        }
                    });
                    if (has) {
                        String comm = "";
                        try {
                            comm = " " + Files.readString(p.resolve("comm")).strip();
                        } catch (IOException e) {
                            // Name unknown: the pid alone.
                        }
                        out.add("pid " + name + comm);
                    }
                } catch (IOException | SecurityException e) {
                    // Not ours to look at.
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * A copy of the tier's committed state (the step's own changes are invisible to another connection), taken with
     * SQLite's backup API through a connection of its own: what recovery restores when a later unit fails to commit.
     */
    static void snapshot(Tier t, Path out) {
        try {
            Files.createDirectories(out.getParent());
            Files.deleteIfExists(out);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "cannot write " + out + ": " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t.file().toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 2000");
            st.executeUpdate("backup to " + Identifiers.literal(out.toAbsolutePath().toString()));
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, TierInternals.firstLine(e.getMessage()), e);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out.toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = DELETE"); // one self-contained file, durable before the first COMMIT
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, TierInternals.firstLine(e.getMessage()), e);
        }
    }

    /** Puts a pre-step snapshot back into the live tier (no transaction open), through the tier's own connection. */
    static void restore(Tier t, Path snapshot) {
        if (!Files.isRegularFile(snapshot)) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "The pre-step snapshot of tier '" + t.name() + "' (" + snapshot + ") is missing.");
        }
        try (Statement st = TierInternals.connection(t).createStatement()) {
            st.executeUpdate("restore from " + Identifiers.literal(snapshot.toAbsolutePath().toString()));
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Restoring tier '" + t.name() + "' from its pre-step snapshot " + snapshot + " failed ("
                    + TierInternals.firstLine(e.getMessage()) + ").", e);
        }
        if (!t.quickCheck().ok()) {
            throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + t.name() + "' fails quick_check after restoring its pre-step snapshot "
                    + snapshot + ".");
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Left behind: a later clean commit or run does not depend on it.
        }
    }

    /** "30 s", or "0.6 s" below ten seconds when not whole. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 || ms >= 10_000 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
