package dev.sluice.dsl;

import java.util.List;
import java.util.function.Supplier;

/**
 * The gate every action that cannot run inside a transaction passes through (snapshot, restore, VACUUM, journal_mode,
 * ATTACH/DETACH, freeze). Outside a playbook step the gate simply runs the action; a step runner installs its own
 * gate on the {@link Session} to announce the action, ask for confirmation, or only describe it (dry run).
 */
public interface NonTransactional {
    /**
     * One action: a verb ("snapshot", "vacuum"…), what it will do in words, the tiers it works on, and whether those
     * tiers must be outside a transaction while it runs.
     */
    record Action(String verb, String description, List<String> tiers, boolean outsideTransaction) {
        public Action {
            tiers = List.copyOf(tiers);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** Runs {@code body} for {@code action}, or not: returns its result, or null when the action was only described. */
    <T> T perform(Action action, Supplier<T> body);

    /** The gate outside any step: the action just runs. */
    NonTransactional DIRECT = new NonTransactional() {
        @Override
        public <T> T perform(Action action, Supplier<T> body) {
            return body.get();
        }
    };
}
