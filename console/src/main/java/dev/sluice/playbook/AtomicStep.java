package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.RowWatch;
import dev.sluice.tier.SharedConnection;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code atomic: true} adds to a step: every writable SQLite tier of the session takes part, attached to one shared
 * connection ({@link SharedConnection}) so that one COMMIT covers them all. Validated before anything runs; the update
 * hook on the shared connection says which participant a write went to (its {@code db} argument is the tier's schema).
 * Server tiers and read-only tiers keep their own connections and transactions.
 */
final class AtomicStep implements AutoCloseable {
    private final SharedConnection shared;
    private final Set<String> names = new LinkedHashSet<>();
    private final Map<String, Long> changes = new ConcurrentHashMap<>();
    private RowWatch hook;

    private AtomicStep(SharedConnection shared) {
        this.shared = shared;
        shared.tiers().forEach(t -> names.add(t.name()));
    }

    /**
     * The tiers that take part, in workspace order: the SQLite tiers that are not read-only among those the playbook
     * declares ({@code tiers 'a', 'b'}), or among all the workspace's when it declares none.
     */
    static List<Tier> participants(Session session, Playbook playbook) {
        java.util.Set<String> declared = new java.util.HashSet<>();
        playbook.tiers().forEach(n -> declared.add(n.name()));
        return session.tiers().all().stream().filter(t -> t.engine() == Engine.SQLITE && !t.readOnly() && !TierInternals.isClosed(t))
                .filter(t -> declared.isEmpty() || declared.contains(t.name())).toList();
    }

    /**
     * Whether every participant allows one COMMIT (SQLite files in a rollback-journal mode, none named main or temp):
     * then a multi-tier step commits as one by default, without {@code atomic: true}.
     */
    static boolean allowOneCommit(List<Tier> participants) {
        for (Tier t : participants) {
            if (t.file() == null || t.name().equalsIgnoreCase("main") || t.name().equalsIgnoreCase("temp") || t.inTransaction()) {
                return false;
            }
            String mode = String.valueOf(t.query("PRAGMA journal_mode").value()).toLowerCase(Locale.ROOT);
            if (mode.equals("wal") || mode.equals("off") || mode.equals("memory")) {
                return false;
            }
        }
        return true;
    }

    /** Refuses, in one line naming the tier and the remedy, what would make the one COMMIT not atomic (or impossible). */
    static void validate(Step step, List<Tier> participants) {
        String head = "Step '" + step.name() + "' is atomic, but tier '";
        for (Tier t : participants) {
            if (t.file() == null) {
                throw new SluiceException(ErrorCode.PLAYBOOK, head + t.name() + "' is not a SQLite file (" + t.config().location()
                        + "): only files can be attached to one connection. Make it read-only in sluice.json, or drop atomic: true.");
            }
            if (t.name().equalsIgnoreCase("main") || t.name().equalsIgnoreCase("temp")) {
                throw new SluiceException(ErrorCode.PLAYBOOK, head + t.name() + "' has the name of a SQLite schema, so it cannot be "
                        + "attached under it. Rename the tier in sluice.json, or drop atomic: true.");
            }
            String mode = String.valueOf(t.query("PRAGMA journal_mode").value()).toLowerCase(Locale.ROOT);
            if (mode.equals("wal")) {
                throw new SluiceException(ErrorCode.PLAYBOOK, head + t.name() + "' is in WAL mode: SQLite commits attached WAL databases "
                        + "one by one. Switch it with journalMode(" + t.name() + ", 'delete') in an earlier step, or drop atomic: true.");
            }
            if (mode.equals("off") || mode.equals("memory")) {
                throw new SluiceException(ErrorCode.PLAYBOOK, head + t.name() + "' has journal_mode " + mode + ": without a rollback "
                        + "journal on disk SQLite cannot commit it atomically with the others. Switch it with journalMode(" + t.name()
                        + ", 'delete') in an earlier step, or drop atomic: true.");
            }
        }
    }

    /** Attaches the participants to a shared connection whose main database is {@code scratch}; each ATTACH is a note. */
    static AtomicStep attach(Step step, List<Tier> participants, Path scratch, java.util.function.Consumer<String> note) {
        return new AtomicStep(SharedConnection.attach(step.name(), scratch, participants, note));
    }

    boolean includes(Tier t) {
        return names.contains(t.name());
    }

    boolean includes(String tier) {
        return names.contains(tier);
    }

    List<Tier> tiers() {
        return shared.tiers();
    }

    /** Attributes every row the shared connection changes to its participant (main, the scratch file, and temp are no tier). */
    private long totalAtStart;

    void hook(StepContext ctx) {
        totalAtStart = totalChanges();
        hook = RowWatch.on(shared.tiers().get(0), (db, table) -> {
            Tier t = shared.tierOf(db);
            if (t == null) {
                return;
            }
            ctx.wrote(t.name());
            ctx.writtenTables.computeIfAbsent(t.name(), k -> new LinkedHashSet<>()).add(table);
            changes.merge(t.name(), 1L, Long::sum);
        }).orElseThrow(); // the participants of an atomic step are SQLite files
    }

    /**
     * True when the shared connection changed more rows than the hook attributed to a participant: a WITHOUT ROWID table,
     * a DELETE without WHERE, or such a write reached through another tier's handle. Which participant it hit is then
     * unknown, so the caller counts every participant as written (each gets its history row: never one too few).
     */
    boolean unattributedWrites() {
        long attributed = changes.values().stream().mapToLong(Long::longValue).sum();
        return totalChanges() - totalAtStart > attributed;
    }

    private long totalChanges() {
        try (java.sql.Statement st = TierInternals.connection(shared.tiers().get(0)).createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT total_changes()")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (java.sql.SQLException e) {
            return Long.MAX_VALUE / 2; // unknown: treated as unattributed writes, the safe side
        }
    }

    void unhook() {
        if (hook != null) {
            hook.close();
            hook = null;
        }
    }

    /**
     * Rows the step changed on a participant: update-hook calls counted per schema, since {@code total_changes()} is per
     * connection. SQLite does not call the hook for WITHOUT ROWID tables or a DELETE without WHERE (truncate
     * optimisation), so those rows are not counted here.
     */
    long changes(String tier) {
        return changes.getOrDefault(tier, 0L);
    }

    /** Schemas the shared connection lists now (tests and diagnostics). */
    Set<String> schemas() {
        return shared.schemas();
    }

    /** Rolls back whatever is still open, unroutes and DETACHes every participant, closes the shared connection. */
    @Override
    public void close() {
        try {
            unhook();
        } finally {
            shared.close();
        }
    }
}
