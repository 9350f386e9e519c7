package dev.sluice.playbook;

import java.util.List;

/** A step and its state: for applied steps, where, when, by whom and with which checksum. */
public record StepStatus(Step step, StepState state, List<String> appliedOn, String appliedChecksum, String appliedAt, String appliedBy) {
    public StepStatus {
        appliedOn = List.copyOf(appliedOn);
    }

    @Override
    public String toString() {
        String s = String.format("%2d. %-8s %s", step.index(), state.label(), step.name()) + (step.always() ? "  (runs on every run)" : "");
        if (state != StepState.PENDING) {
            s += "  (" + String.join(", ", appliedOn) + ", " + appliedAt + " by " + appliedBy + ")";
        }
        if (state == StepState.CHANGED) {
            s += "  applied sha256 " + appliedChecksum.substring(0, 12) + "…, now " + step.shortChecksum();
        }
        return s;
    }
}
