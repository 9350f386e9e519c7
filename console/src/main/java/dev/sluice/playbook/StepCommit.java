package dev.sluice.playbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.dsl.Session;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The commit path of a run's open step: the history row on every tier the step wrote (in the step's own transaction),
 * the commit order and checks of {@link MultiTierCommit}, the crash record and pre-step snapshots around a commit of
 * several units, and the undoing of what committed when a later unit fails. The run hands over the open step's data and
 * gets the outcome back through {@link OpenStep}; a cancel waits while the commits run ({@link RunCancellation}).
 */
final class StepCommit {
    /** What a commit does to the run's open step. */
    interface OpenStep {
        /** A failed commit: every tier's open transaction rolled back, the atomic sharing ended, the step no longer open. */
        void abandon();

        /** Ends an open atomic step's sharing once its participants committed. */
        void endAtomic();

        /** Records the committed step as decided and moves past it; returns what the run reports. */
        StepResult committed(StepResult r);
    }

    private final Session session;
    private final Playbook playbook;
    private final RunOptions options;
    private final Who who;
    private final String runId;
    /** Null, or the partial step this run finishes ({@link PlaybookSession.Finishing}). */
    private final PlaybookSession.Finishing finishing;
    private final Intents intents;
    private final RunListener listener;
    private final RunCancellation cancellation;

    StepCommit(Session session, Playbook playbook, RunOptions options, Who who, String runId, PlaybookSession.Finishing finishing,
               Intents intents, RunListener listener, RunCancellation cancellation) {
        this.session = session;
        this.playbook = playbook;
        this.options = options;
        this.who = who;
        this.runId = runId;
        this.finishing = finishing;
        this.intents = intents;
        this.listener = listener;
        this.cancellation = cancellation;
    }

    /** Commits the open step: a history row on every tier it wrote (in the same transaction), then the commits. */
    StepResult commit(StepContext ctx, StepResult r, Map<String, Long> openChanges, Map<String, Map<String, Long>> openBefore,
                      AtomicStep atomic, Duration commitWait, OpenStep open) {
        List<Tier> targets = new ArrayList<>();
        for (Tier t : session.tiers()) { // workspace order: the commit order is the same on every run
            if ((r.writtenTiers().contains(t.name()) || backfilled(ctx, t)) && (finishing == null || !finishing.scratch().contains(t.name()))) {
                targets.add(t); // a finishing run's scratch copies are only read from: what they got is thrown away
            }
        }
        if (targets.isEmpty()) {
            targets.add(homeTier());
        }
        ObjectMapper json = Json.mapper();
        String now = Instant.now().toString();
        for (Tier t : targets) {
            Map<String, Long> after = TierMeasures.counts(t);
            History.record(t, new HistoryEntry(0, playbook.id(), ctx.step().name(), ctx.step().checksum(), HistoryEntry.APPLIED, who.user(),
                    who.host(), now, r.millis(), openChanges.getOrDefault(t.name(), 0L), TierMeasures.toJson(json, openBefore.get(t.name())),
                    TierMeasures.toJson(json, after), runId));
        }
        // The participants of an atomic step (explicit, or by default) commit as one unit; the order and the checks made
        // before the first COMMIT are MultiTierCommit's (README, "Multi-tier commit").
        List<Tier> written = targets;
        List<Tier> group = atomic == null ? List.of() : atomic.tiers().stream().filter(written::contains).toList();
        List<MultiTierCommit.Unit> units;
        try {
            units = MultiTierCommit.order(targets, group);
            if (units.size() > 1) {
                MultiTierCommit.checkDeferred(units, ctx.step().name());
            }
        } catch (RuntimeException e) {
            open.abandon();
            throw e;
        }
        cancellation.beginCommit();
        try {
            return commitUnits(ctx, r, units, now, commitWait, open);
        } finally {
            cancellation.endCommit();
        }
    }

    private StepResult commitUnits(StepContext ctx, StepResult r, List<MultiTierCommit.Unit> units, String now, Duration commitWait, OpenStep open) {
        Path intent = null;
        Intents.Intent record = null;
        Path snapDir = intents.snapshotDir(runId, ctx.step().name());
        if (units.size() > 1) {
            // A cheap copy of the committed state of every SQLite unit that commits before the last one: if a later COMMIT
            // fails, or the process dies between commits, Sluice puts these back instead of leaving half a step.
            Map<String, String> snaps = new LinkedHashMap<>();
            try {
                for (MultiTierCommit.Unit u : units.subList(0, units.size() - 1)) {
                    for (Tier t : u.tiers()) {
                        if (t.engine() == Engine.SQLITE && t.file() != null) {
                            Path out = snapDir.resolve(t.name() + ".db");
                            try {
                                MultiTierCommit.snapshot(t, out);
                                snaps.put(t.name(), snapDir.getFileName() + "/" + t.name() + ".db");
                            } catch (SluiceException e) {
                                // The step's own write lock can keep other connections out (a large transaction spills to the
                                // file): commit without it; a later failure then names 'repair --finished' as the way out.
                                listener.note("no pre-step snapshot of tier '" + t.name() + "' (" + e.getMessage() + "); committing without it");
                            }
                        }
                    }
                }
                if (finishing == null) {
                    record = new Intents.Intent(runId, playbook.id(), ctx.step().name(), ctx.step().checksum(),
                            units.stream().flatMap(u -> u.names().stream()).toList(), now, snaps, options.params());
                } else {
                    // The same record, now also holding snapshots of the missed tiers that commit first: a crash in the
                    // middle of finishing is settled by finishing again, the tiers finished by then counted as reached.
                    Intents.Intent o = finishing.original();
                    Map<String, String> all = new LinkedHashMap<>(o.snapshots());
                    all.putAll(snaps);
                    record = new Intents.Intent(o.runId(), o.playbook(), o.step(), o.checksum(), o.tiers(), o.started(), all, o.params());
                }
                intent = intents.write(record);
            } catch (RuntimeException e) {
                open.abandon();
                MultiTierCommit.deleteTree(snapDir);
                throw e;
            }
        }
        List<String> done = new ArrayList<>();
        for (MultiTierCommit.Unit u : units) {
            try {
                MultiTierCommit.commit(u, commitWait, listener);
                done.addAll(u.names());
            } catch (RuntimeException e) {
                String holders = e instanceof SluiceException se && se.code() == ErrorCode.LOCKED ? MultiTierCommit.holders(u) : "";
                open.abandon();
                String what = e instanceof SluiceException se && se.code() == ErrorCode.LOCKED
                        ? u.label() + " kept a reader for " + MultiTierCommit.seconds(commitWait) + (holders.isEmpty() ? "" : " (" + holders + ")")
                        : u.label() + " failed to commit (" + e.getMessage() + ")";
                if (done.isEmpty()) {
                    if (intent != null) {
                        forget(intent, record);
                    }
                    throw new SluiceException(e instanceof SluiceException se && se.code() == ErrorCode.LOCKED ? ErrorCode.LOCKED : ErrorCode.FAILURE,
                            "Step '" + ctx.step().name() + "' was not committed on any tier: " + what + ". Nothing changed; let the reader "
                            + "finish (or stop it), then run the step again.", e);
                }
                // Something committed before this unit failed: undo it from the pre-step snapshot now, while this run holds the tiers.
                String undone = undoCommitted(record, done);
                if (undone == null) {
                    forget(intent, record);
                    throw new SluiceException(ErrorCode.FAILURE, "Step '" + ctx.step().name() + "' was not committed: " + what + "; "
                            + String.join(", ", done) + " had committed and " + (done.size() == 1 ? "was" : "were") + " restored from the pre-step "
                            + "snapshot, so no tier has any of it. Run the step again.", e);
                }
                String report = units.stream().flatMap(x -> x.names().stream()).map(x -> x + (done.contains(x) ? " committed" : " NOT committed")).toList().toString();
                throw new SluiceException(ErrorCode.FAILURE, "Committing step '" + ctx.step().name() + "' failed: " + what + "; tier by tier: " + report
                        + " (" + undone + "). The next 'sluice run' of " + playbook.displayPath() + " offers to restore the committed tiers and run it again.", e);
            }
        }
        for (Tier t : session.tiers()) {
            TierInternals.rollback(t); // read-only transactions of the tiers the step did not write
        }
        open.endAtomic();
        if (intent != null) {
            intents.deleteWithSnapshots(intent, record);
        }
        return open.committed(r.withStatus(StepResult.Status.COMMITTED));
    }

    /**
     * Drops the crash record of a multi-tier commit that left no tier committed. A finishing run puts back the record it
     * settles instead (with only the snapshots that were there), so the partial step stays recorded for the next try.
     */
    private void forget(Path intent, Intents.Intent record) {
        if (finishing == null) {
            intents.deleteWithSnapshots(intent, record);
            return;
        }
        for (var e : record.snapshots().entrySet()) {
            if (!finishing.original().snapshots().containsKey(e.getKey())) {
                intents.delete(intents.resolve(e.getValue()));
            }
        }
        intents.write(finishing.original());
    }

    /**
     * Restores the tiers that committed ({@code done}) from the intent's pre-step snapshots. Returns null when every one
     * was restored, else why not (the intent then stays for the next run).
     */
    private String undoCommitted(Intents.Intent record, List<String> done) {
        for (String n : done) {
            if (!record.snapshots().containsKey(n)) {
                return "no pre-step snapshot of " + n + " (not a SQLite file)";
            }
        }
        try {
            for (String n : done) {
                MultiTierCommit.restore(session.tier(n), intents.resolve(record.snapshots().get(n)));
                listener.note("tier '" + n + "' restored from the pre-step snapshot of step '" + record.step() + "'");
            }
            return null;
        } catch (RuntimeException e) {
            return "restoring failed: " + e.getMessage();
        }
    }

    /**
     * A backfill in the step writes its tier in committed batches, so the step's history row belongs there even when this
     * run's backfill found its work already done (a rerun after a kill between the last batch and the step's commit).
     */
    private static boolean backfilled(StepContext ctx, Tier t) {
        return !t.readOnly() && ctx.actions().stream().anyMatch(a -> a.outcome() == ActionRecord.Outcome.PERFORMED
                && "backfill".equals(a.action().verb()) && a.action().tiers().contains(t.name()));
    }

    private Tier homeTier() {
        for (Playbook.TierNeed n : playbook.tiers()) {
            if (session.tiers().has(n.name()) && !session.tier(n.name()).readOnly()) {
                return session.tier(n.name());
            }
        }
        return session.tiers().all().stream().filter(t -> !t.readOnly()).findFirst().orElseThrow(() -> new SluiceException(
                ErrorCode.PLAYBOOK, "No writable tier to record step history in. Make one tier writable in sluice.json."));
    }
}
