package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.encoding.Sha256;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps committed on only some tiers (a crash between the commits of a multi-tier step, or a failure Sluice could not
 * undo at once), found through their commit intents, and the ways Sluice settles them itself:
 * <ul>
 *   <li><b>finish</b>: run the step again on the tiers it missed, against the state the tiers it reached had before it
 *       (scratch copies of their pre-step snapshots), and commit it on the missed tiers only. The reached tiers are not
 *       touched, so nothing another process wrote to them since is lost. This is what {@code --yes} does.</li>
 *   <li><b>restore</b>: put the reached tiers back from their pre-step snapshots; the step is pending everywhere and runs
 *       again.</li>
 *   <li><b>finished by hand</b> ({@code repair --finished}): only when no snapshot covers a reached tier (a server tier),
 *       record the step on the missed tiers once the operator finished it there.</li>
 * </ul>
 * {@code --list} and the history never show a partial step as applied: {@link PlaybookSession#statuses} reads the
 * intents through {@link #partial}.
 */
public final class PartialSteps {
    /** How {@code sluice repair} settles a partial step. */
    public enum Way { FINISH, RESTORE, FINISHED_BY_HAND }

    /** Where a recorded multi-tier commit got to: the tiers holding this run's history row for the step, and the others. */
    public record Partial(List<String> committed, List<String> missing) {
        /** "a ✓ b ✗" in commit order. */
        public String marks() {
            List<String> out = new ArrayList<>();
            committed.forEach(n -> out.add(n + " \u2713"));
            missing.forEach(n -> out.add(n + " \u2717"));
            return String.join(" ", out);
        }

        boolean isPartial() {
            return !committed.isEmpty() && !missing.isEmpty();
        }
    }

    private PartialSteps() {
    }

    public static Partial partial(Session session, Intents.Intent i) {
        List<String> committed = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : i.tiers()) {
            if (session.tiers().has(n) && History.hasRun(session.tier(n), i.runId(), i.step())) {
                committed.add(n);
            } else {
                missing.add(n);
            }
        }
        return new Partial(committed, missing);
    }

    /**
     * Before a run takes its locks: settles every crash record. A record whose step reached every tier or none is cleared
     * with a note. A partial step of this playbook is finished under {@code --yes}; step mode asks to finish it, then to
     * restore instead; a dry run leaves it to the real run. Without snapshots, or when declined, the run stops with the
     * state tier by tier and the ways out. Returns true when a step was finished (its run re-bound the playbook's tiers).
     */
    static boolean settle(Session session, Playbook playbook, RunOptions options, Decider decider, RunListener listener) {
        Intents intents = new Intents(session.workspace().stateDir());
        intents.clearUnreadable().forEach(listener::note);
        boolean finished = false;
        for (Path f : intents.pending()) {
            Intents.Intent i = intents.read(f);
            Partial p = partial(session, i);
            if (!p.isPartial()) {
                listener.note("A run stopped while committing step '" + i.step() + "' of " + i.playbook() + " (run " + i.runId() + "): "
                        + (p.missing().isEmpty() ? "every tier had committed" : "no tier had committed") + "; nothing to do.");
                intents.deleteWithSnapshots(f, i);
                continue;
            }
            if (options.dryRun()) {
                continue; // reported by the real run; a dry run changes nothing, including this record
            }
            String state = "step '" + i.step() + "' of " + i.playbook() + " is partial (" + p.marks() + ", run " + i.runId() + " stopped between commits)";
            boolean ours = i.playbook().equals(playbook.id());
            if (ours && restorable(intents, i, p)) {
                Step step = playbook.steps().stream().filter(x -> x.name().equals(i.step())).findFirst().orElse(null);
                boolean yes = options.mode() == RunMode.YES;
                boolean finish = step != null && (yes || decider != null && decider.settle(step, Character.toUpperCase(state.charAt(0)) + state.substring(1)
                        + ". Finish it on " + String.join(", ", p.missing()) + " (run it there against the state " + String.join(", ", p.committed())
                        + " had before it)? No offers to restore instead."));
                if (finish) {
                    Map<String, String> params = i.params() != null ? i.params() : options.params();
                    try {
                        listener.note(finish(session, playbook, intents, f, i, p, params, listener));
                    } catch (SluiceException e) {
                        throw new SluiceException(e.code(), Character.toUpperCase(state.charAt(0)) + state.substring(1) + " and could not be finished: "
                                + e.getMessage() + " " + restoreWay(playbook, i, p), e);
                    }
                    finished = true;
                    continue;
                }
                boolean restore = step != null && !yes && decider != null && decider.settle(step, "Restore " + String.join(", ", p.committed())
                        + " from the snapshot taken before step '" + i.step() + "', so that the step runs again? No stops here.");
                if (restore) {
                    restore(session, intents, i, p);
                    intents.deleteWithSnapshots(f, i);
                    listener.note("Recovered: " + state + "; restored " + String.join(", ", p.committed()) + " from the pre-step snapshot, the step runs again.");
                    continue;
                }
            }
            throw new SluiceException(ErrorCode.INTEGRITY, Character.toUpperCase(state.charAt(0)) + state.substring(1) + ". "
                    + waysOut(playbook, i, p, ours && restorable(intents, i, p)));
        }
        return finished;
    }

    private static String waysOut(Playbook playbook, Intents.Intent i, Partial p, boolean restorable) {
        String repair = "sluice repair " + (i.playbook().equals(playbook.id()) ? playbook.displayPath() : "PLAYBOOK-OF-" + i.playbook())
                + " --step \"" + i.step() + "\"";
        return restorable
                ? "Run again with --yes (or answer yes) to finish it on " + String.join(", ", p.missing()) + ", or '" + repair + " --finish'; "
                + "or '" + repair + " --restore' to put " + String.join(", ", p.committed()) + " back as before the step."
                : "No pre-step snapshot covers " + String.join(", ", p.committed()) + ": finish the step on " + String.join(", ", p.missing())
                + " by hand, then run '" + repair + " --finished'.";
    }

    private static String restoreWay(Playbook playbook, Intents.Intent i, Partial p) {
        return "Nothing else changed: fix the cause and run again, or run 'sluice repair " + playbook.displayPath() + " --step \"" + i.step()
                + "\" --restore' to put " + String.join(", ", p.committed()) + " back as before the step.";
    }

    private static boolean restorable(Intents intents, Intents.Intent i, Partial p) {
        return p.committed().stream().allMatch(n -> i.snapshots().containsKey(n) && Files.isRegularFile(intents.resolve(i.snapshots().get(n))));
    }

    /**
     * Finishes a partial step: copies the pre-step snapshots of the tiers it reached to scratch files, opens the
     * workspace with those tiers pointing at the copies, runs the step there under {@code --yes} semantics (its own
     * locks, preconditions, expectations and, with two or more units, its own intent), and commits: the missed tiers get
     * the step and its history row, the scratch copies are thrown away, and the crash record is cleared. Returns the note
     * to show. Throws (the missed tiers unchanged, the record kept) when the step fails or its expectations do not hold.
     */
    private static String finish(Session session, Playbook playbook, Intents intents, Path f, Intents.Intent i, Partial p,
                                 Map<String, String> params, RunListener listener) {
        Step step = playbook.steps().stream().filter(x -> x.name().equals(i.step())).findFirst().orElseThrow(() -> new SluiceException(
                ErrorCode.PLAYBOOK, "the playbook has no step '" + i.step() + "' any more."));
        if (i.checksum() != null && !i.checksum().equals(step.checksum())) {
            throw new SluiceException(ErrorCode.INTEGRITY, "its text changed since the interrupted run (sha256 then "
                    + Sha256.shortForm(i.checksum()) + ", now " + step.shortChecksum() + "), so finishing it would apply other text on "
                    + String.join(", ", p.missing()) + " than it applied on " + String.join(", ", p.committed()) + ". Revert the edit to finish it.");
        }
        for (Tier t : session.tiers()) {
            if (!TierInternals.isClosed(t) && t.inTransaction()) {
                t.rollback(); // nothing of this session may hold a tier the finishing run writes
            }
        }
        Path scratch = intents.finishDir(i);
        try {
            MultiTierCommit.deleteTree(scratch);
            Files.createDirectories(scratch);
            Map<String, Path> copies = new LinkedHashMap<>();
            for (String n : p.committed()) {
                Path copy = scratch.resolve(n + ".db");
                Files.copy(intents.resolve(i.snapshots().get(n)), copy, StandardCopyOption.REPLACE_EXISTING);
                copies.put(n, copy);
            }
            Workspace before = session.workspace().withTierFiles(copies);
            RunListener notes = new RunListener() {
                @Override
                public void note(String message) {
                    listener.note(message);
                }
            };
            try (Session s = Session.of(TierSet.open(before));
                 PlaybookSession run = PlaybookSession.finishing(s, playbook, new RunOptions(RunMode.YES, null, null, step.name(), params), notes,
                         new PlaybookSession.Finishing(i, java.util.Set.copyOf(p.committed())))) {
                StepResult r = run.next();
                if (r == null) {
                    throw new SluiceException(ErrorCode.INTEGRITY, "step '" + i.step() + "' did not run against the pre-step state.");
                }
                if (r.status() == StepResult.Status.FAILED) {
                    throw new SluiceException(r.errorCode() == null ? ErrorCode.PLAYBOOK : r.errorCode(), "the step failed against the pre-step state ("
                            + r.error() + "); it was rolled back, " + String.join(", ", p.missing()) + " unchanged.");
                }
                if (!r.expectationsHold()) {
                    run.rollback();
                    throw new SluiceException(ErrorCode.FAILURE, "its expectations failed against the pre-step state ("
                            + String.join(", ", r.failedExpectations().stream().map(e -> "'" + e.name() + "'").toList()) + "); it was rolled back, "
                            + String.join(", ", p.missing()) + " unchanged.");
                }
                run.commit();
            }
            intents.deleteWithSnapshots(f, i);
            return "Finished: step '" + i.step() + "' of " + i.playbook() + " was partial (" + p.marks() + ", run " + i.runId()
                    + " stopped between commits); ran it on " + String.join(", ", p.missing()) + " against the state "
                    + String.join(", ", p.committed()) + " had before it and committed it there; "
                    + String.join(", ", p.committed()) + " kept as committed.";
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "could not copy the pre-step snapshots to " + scratch + " (" + e.getMessage() + ").", e);
        } finally {
            MultiTierCommit.deleteTree(scratch);
        }
    }

    private static void restore(Session session, Intents intents, Intents.Intent i, Partial p) {
        for (String n : p.committed()) {
            MultiTierCommit.restore(session.tier(n), intents.resolve(i.snapshots().get(n)));
        }
    }

    /**
     * What {@code sluice repair} does with a partial step of {@code playbook}, the way the operator chose. Returns one line
     * per thing done; empty when the step has no crash record. Refuses (changing nothing) a way that cannot work: restore
     * or finish without a pre-step snapshot of every reached tier.
     */
    public static List<String> recover(Session session, Playbook playbook, Step step, Way way) {
        Intents in = new Intents(session.workspace().stateDir());
        List<String> out = new ArrayList<>();
        Who who = Who.current();
        for (Path f : in.pending()) {
            Intents.Intent i = in.read(f);
            if (!i.playbook().equals(playbook.id()) || !i.step().equals(step.name())) {
                continue;
            }
            Partial p = partial(session, i);
            if (p.isPartial()) {
                if (way != Way.FINISHED_BY_HAND && !restorable(in, i, p)) {
                    List<String> uncovered = p.committed().stream().filter(n -> !i.snapshots().containsKey(n)
                            || !Files.isRegularFile(in.resolve(i.snapshots().get(n)))).toList();
                    throw new SluiceException(ErrorCode.INTEGRITY, "Step '" + step.name() + "' is partial (" + p.marks() + ") and no pre-step snapshot "
                            + "covers " + String.join(", ", uncovered) + ", so Sluice can neither finish it nor restore. Finish it on "
                            + String.join(", ", p.missing()) + " by hand, then run repair again with --finished.");
                }
                switch (way) {
                    case FINISHED_BY_HAND -> {
                        for (String n : p.missing()) {
                            History.record(session.tier(n), new HistoryEntry(0, playbook.id(), step.name(), i.checksum(), HistoryEntry.REPAIRED, who.user(),
                                    who.host(), Instant.now().toString(), 0, 0, null, null, i.runId()));
                            out.add("Step '" + step.name() + "' on " + n + ": recorded as finished by hand (repaired).");
                        }
                    }
                    case RESTORE -> {
                        restore(session, in, i, p);
                        p.committed().forEach(n -> out.add("Step '" + step.name() + "' on " + n
                                + ": restored from the pre-step snapshot; the step is pending and runs again."));
                    }
                    case FINISH -> {
                        Map<String, String> params = i.params() != null ? i.params() : Map.of();
                        try {
                            out.add(finish(session, playbook, in, f, i, p, params, new RunListener() {
                                @Override
                                public void note(String message) {
                                    out.add(message);
                                }
                            }));
                        } catch (SluiceException e) {
                            throw new SluiceException(e.code(), "Could not finish step '" + step.name() + "' (" + p.marks() + "): " + e.getMessage()
                                    + " " + restoreWay(playbook, i, p), e);
                        }
                    }
                }
            }
            in.deleteWithSnapshots(f, i);
            out.add("Cleared the crash record of run " + i.runId() + " (step '" + step.name() + "', " + p.marks() + ").");
        }
        return out;
    }

    /** Clears crash records of a step (repair does this after reporting them). Returns the records cleared. */
    public static List<Intents.Intent> clearIntents(Session session, String playbookId, String step) {
        Intents in = new Intents(session.workspace().stateDir());
        in.clearUnreadable();
        List<Intents.Intent> out = new ArrayList<>();
        for (Path f : in.pending()) {
            Intents.Intent i = in.read(f);
            if (i.playbook().equals(playbookId) && i.step().equals(step)) {
                out.add(i);
                in.deleteWithSnapshots(f, i);
            }
        }
        return out;
    }
}
