package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;

/** A non-transactional action met inside a step, and what became of it. */
public record ActionRecord(NonTransactional.Action action, Outcome outcome) {
    public enum Outcome {
        /** It ran (outside the tiers' transactions). */
        PERFORMED,
        /** Dry run: described, not done. */
        DESCRIBED,
        /** The operator said no; the step stopped. */
        DECLINED
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case PERFORMED -> "done: " + action.description();
            case DESCRIBED -> "would " + action.description() + " (dry run: not done)";
            case DECLINED -> "declined: " + action.description();
        };
    }
}
