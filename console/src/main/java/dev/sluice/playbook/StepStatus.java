package dev.sluice.playbook;

import java.util.List;

/**
 * A step and its state: for applied steps, where, when, by whom, with which checksum and in which run ({@code runId}:
 * null for history rows older than run ids).
 */
public record StepStatus(Step step, StepState state, List<String> appliedOn, String appliedChecksum, String appliedAt, String appliedBy,
                         List<String> missingOn, String runId) {
    public StepStatus {
        appliedOn = List.copyOf(appliedOn);
        missingOn = missingOn == null ? List.of() : List.copyOf(missingOn);
    }

    public StepStatus(Step step, StepState state, List<String> appliedOn, String appliedChecksum, String appliedAt, String appliedBy,
                      List<String> missingOn) {
        this(step, state, appliedOn, appliedChecksum, appliedAt, appliedBy, missingOn, null);
    }

    public StepStatus(Step step, StepState state, List<String> appliedOn, String appliedChecksum, String appliedAt, String appliedBy) {
        this(step, state, appliedOn, appliedChecksum, appliedAt, appliedBy, List.of());
    }

    @Override
    public String toString() {
        String s = String.format("%2d. %-8s %s", step.index(), state.label(), step.name()) + (step.always() ? "  (runs on every run)" : "");
        if (state == StepState.PARTIAL) {
            List<String> marks = new java.util.ArrayList<>();
            appliedOn.forEach(n -> marks.add(n + " \u2713"));
            missingOn.forEach(n -> marks.add(n + " \u2717"));
            return s + "  (" + String.join(" ", marks) + "; the next run restores and re-runs it)";
        }
        if (state != StepState.PENDING) {
            s += "  (" + String.join(", ", appliedOn) + ", " + dev.sluice.tier.Format.time(appliedAt) + " by " + appliedBy + ")";
        }
        if (state == StepState.CHANGED) {
            s += "  applied sha256 " + appliedChecksum.substring(0, 12) + "…, now " + step.shortChecksum();
        }
        return s;
    }
}
