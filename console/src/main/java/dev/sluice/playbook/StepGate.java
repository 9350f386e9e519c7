package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The gate a running step installs: announce, ask (step mode), describe only (dry run), and keep transactions out of the way. */
final class StepGate implements NonTransactional {
    private final StepContext ctx;
    private final Session session;
    private final RunOptions options;
    private final Decider decider;
    private final RunListener listener;
    /** The open atomic step's shared connection, or null. */
    private final Supplier<AtomicStep> atomic;

    StepGate(StepContext ctx, Session session, RunOptions options, Decider decider, RunListener listener, Supplier<AtomicStep> atomic) {
        this.ctx = ctx;
        this.session = session;
        this.options = options;
        this.decider = decider;
        this.listener = listener;
        this.atomic = atomic;
    }

    @Override
    public <T> T perform(Action action, Supplier<T> body) {
        for (String n : action.tiers()) {
            AtomicStep shared = atomic.get();
            if (shared != null && shared.includes(n)) {
                throw new dev.sluice.tier.SharedConnection.Refused(ErrorCode.PLAYBOOK, "'" + action.verb() + "' cannot run in atomic step '" + ctx.step().name()
                        + "': tier '" + n + "' shares one connection and one transaction with the step's other SQLite tiers. Move '"
                        + action.verb() + "' to a step of its own, or drop atomic: true.");
            }
        }
        if (options.dryRun()) {
            record(action, ActionRecord.Outcome.DESCRIBED);
            return null;
        }
        if (action.outsideTransaction()) {
            for (String n : action.tiers()) {
                if (ctx.openWrites.contains(n)) { // writes an earlier action committed (a backfill's batches) do not count
                    throw new SluiceException(ErrorCode.PLAYBOOK, "'" + action.verb() + "' needs tier '" + n + "' outside a transaction, but step '"
                            + ctx.step().name() + "' has already written to it. Move '" + action.verb() + "' to a step of its own, before the writes.");
                }
            }
        }
        listener.action(ctx.step(), new ActionRecord(action, null));
        // Without a decider (an API caller that gave none) nobody can confirm: the safe answer is no.
        boolean yes = options.mode() == RunMode.YES || decider != null && decider.confirm(ctx.step(), action);
        if (!yes) {
            record(action, ActionRecord.Outcome.DECLINED);
            throw new SluiceException(ErrorCode.CANCELLED, "Declined: " + action.description() + ". The step stops and rolls back.");
        }
        List<Tier> reopen = new ArrayList<>();
        if (action.outsideTransaction()) {
            for (String n : action.tiers()) {
                Tier t = session.tier(n);
                if (t.inTransaction()) {
                    TierInternals.rollback(t); // nothing written on it yet: this only ends the read transaction
                    reopen.add(t);
                }
            }
        }
        try {
            T result = body.get();
            record(action, ActionRecord.Outcome.PERFORMED);
            return result;
        } finally {
            if (action.outsideTransaction()) {
                ctx.openWrites.removeAll(action.tiers()); // what the action wrote, it committed itself (or it is connection state)
            }
            for (Tier t : reopen) {
                if (!TierInternals.isClosed(t) && !t.inTransaction()) {
                    t.begin();
                }
            }
        }
    }

    private void record(Action action, ActionRecord.Outcome outcome) {
        ActionRecord r = new ActionRecord(action, outcome);
        ctx.actions.add(r);
        listener.action(ctx.step(), r);
    }
}
