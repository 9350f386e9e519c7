package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.tier.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads each step's state from the history rows of the workspace's tiers and the crash records of partly committed
 * steps: what {@code --list}, {@code repair} and a starting run see. Takes no lock and writes nothing.
 */
final class StepStatuses {
    private StepStatuses() {
    }

    /** Every step of {@code playbook} with its state on {@code session}'s tiers, in playbook order. */
    static List<StepStatus> of(Session session, Playbook playbook) {
        Map<String, List<HistoryEntry>> byTier = new LinkedHashMap<>();
        for (Tier t : session.tiers()) {
            byTier.put(t.name(), History.entries(t, playbook.id()));
        }
        // A crash record whose step reached only some tiers: that step is partial, whatever the rows that exist say.
        Map<String, PartialSteps.Partial> partial = new LinkedHashMap<>();
        Intents in = new Intents(session.workspace().stateDir());
        for (Path f : in.pending()) {
            try {
                Intents.Intent i = in.read(f);
                PartialSteps.Partial p = i.playbook().equals(playbook.id()) ? PartialSteps.partial(session, i) : null;
                if (p != null && !p.committed().isEmpty() && !p.missing().isEmpty()) {
                    partial.put(i.step(), p);
                }
            } catch (RuntimeException e) {
                // An unreadable record is reported by the run that starts; listing goes on without it.
            }
        }
        List<StepStatus> out = new ArrayList<>();
        for (Step s : playbook.steps()) {
            List<String> on = new ArrayList<>();
            HistoryEntry last = null;
            boolean changed = false;
            for (var e : byTier.entrySet()) {
                HistoryEntry latest = null;
                for (HistoryEntry h : e.getValue()) {
                    if (h.step().equals(s.name())) {
                        latest = h;
                    }
                }
                if (latest != null) {
                    on.add(e.getKey());
                    boolean differs = !latest.checksum().equals(s.checksum());
                    changed |= differs;
                    // Show the row that explains the state: a differing one if any, else the newest.
                    if (last == null || differs || latest.appliedAt().compareTo(last.appliedAt()) > 0 && last.checksum().equals(s.checksum())) {
                        last = latest;
                    }
                }
            }
            // A step marked always runs on every run: its history rows record each run and never make it applied or changed.
            StepState state = on.isEmpty() || s.always() ? StepState.PENDING : changed ? StepState.CHANGED : StepState.APPLIED;
            PartialSteps.Partial p = partial.get(s.name());
            if (p != null) {
                out.add(new StepStatus(s, StepState.PARTIAL, p.committed(), last == null ? null : last.checksum(), last == null ? null : last.appliedAt(),
                        last == null ? null : last.user() + "@" + last.host(), p.missing(), runId(last)));
                continue;
            }
            out.add(new StepStatus(s, state, on, last == null ? null : last.checksum(), last == null ? null : last.appliedAt(),
                    last == null ? null : last.user() + "@" + last.host(), List.of(), runId(last)));
        }
        return out;
    }

    /** The run that wrote a row; rows older than run ids hold an empty one. */
    private static String runId(HistoryEntry last) {
        return last == null || last.runId() == null || last.runId().isEmpty() ? null : last.runId();
    }
}
