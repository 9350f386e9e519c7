package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.history.RunLocks;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The run locks of one run: which tiers it locks (the playbook's, else every tier; never a read-only one), taking them
 * (a dry run only checks that nobody holds them), keeping them alive between steps, and letting them go.
 */
final class RunLockHold {
    private final Who who;
    private final List<Tier> locked = new ArrayList<>();

    RunLockHold(Who who) {
        this.who = who;
    }

    /**
     * Before the workspace is opened: refuses a run whose SQLite tiers another run holds, naming every holder at once
     * (opening a tier that a paused run is writing would wait out the busy timeout first).
     */
    static void refuseIfLockedBeforeOpening(dev.sluice.workspace.Workspace ws, Playbook playbook) {
        List<TierConfig> tiers = new ArrayList<>();
        for (Playbook.TierNeed n : playbook.tiers()) {
            if (ws.tiers().containsKey(n.name())) {
                tiers.add(ws.tiers().get(n.name()));
            }
        }
        if (tiers.isEmpty()) {
            tiers.addAll(ws.tiers().values());
        }
        tiers.removeIf(TierConfig::readOnly);
        RunLocks.refuseIfFilesHeld(ws.dir(), tiers, Who.current());
    }

    void take(Session session, Playbook playbook, RunOptions options, String runId, Consumer<String> note) {
        List<Tier> tiers = new ArrayList<>();
        for (Playbook.TierNeed n : playbook.tiers()) {
            if (session.tiers().has(n.name())) {
                tiers.add(session.tier(n.name()));
            }
        }
        if (tiers.isEmpty()) {
            tiers.addAll(session.tiers().all());
        }
        tiers.removeIf(Tier::readOnly); // a read-only tier is only read: no run lock, nothing written beside it
        if (options.dryRun()) {
            RunLocks.refuseIfHeld(session.workspace().dir(), tiers, who); // a dry run takes no lock and writes nothing
        } else {
            RunLocks.acquire(session.workspace().dir(), tiers, who, runId, "run " + playbook.displayPath(), note);
            locked.addAll(tiers);
        }
    }

    /** Between steps: a PostgreSQL lock whose session ended is taken again, or the run stops (see {@code RunLocks.heartbeat}). */
    void heartbeat() {
        for (Tier t : locked) {
            RunLocks.heartbeat(t, who);
        }
    }

    void release() {
        for (Tier t : locked) {
            try {
                RunLocks.release(t, who);
            } catch (RuntimeException e) {
                // Best effort: the OS or the server drops it when this process ends.
            }
        }
        locked.clear();
    }
}
