package dev.sluice.playbook;

import dev.sluice.dsl.Expectation;
import dev.sluice.tier.Format;
import java.util.List;

/**
 * What a step did, as data: status, per tier and table rows before → after and checksum change, expectations, the
 * non-transactional actions met, rows changed, time taken, and the error of a failed step. Prints as the block the
 * operator reads before deciding.
 */
public record StepResult(Step step, int position, int total, Status status, List<TableChange> tables, List<String> writtenTiers,
                         List<String> untouchedTiers, List<Expectation> expectations, List<ActionRecord> actions, long rowsChanged,
                         long millis, String error, dev.sluice.error.ErrorCode errorCode) {
    public enum Status {
        /** Ran; its transactions are open and wait for a decision. */
        OPEN,
        COMMITTED,
        ROLLED_BACK,
        SKIPPED,
        /** Dry run: ran and will be rolled back with the run. */
        DRY_RUN,
        /** The body threw: every tier rolled back, no history row. */
        FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    public StepResult {
        tables = List.copyOf(tables);
        writtenTiers = List.copyOf(writtenTiers);
        untouchedTiers = List.copyOf(untouchedTiers);
        expectations = List.copyOf(expectations);
        actions = List.copyOf(actions);
    }

    public boolean expectationsHold() {
        return expectations.stream().allMatch(Expectation::passed);
    }

    public List<Expectation> failedExpectations() {
        return expectations.stream().filter(e -> !e.passed()).toList();
    }

    public StepResult withStatus(Status s) {
        return new StepResult(step, position, total, s, tables, writtenTiers, untouchedTiers, expectations, actions, rowsChanged, millis, error, errorCode);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("Step ").append(position).append('/').append(total).append(" '").append(step.name()).append("': ");
        if (status == Status.FAILED) {
            sb.append("FAILED after ").append(Format.nanos(millis * 1_000_000)).append(", every tier rolled back\n  ").append(error);
            return sb.toString();
        }
        sb.append(Format.count(rowsChanged)).append(" row(s) changed in ").append(Format.nanos(millis * 1_000_000))
                .append(" [").append(status.label()).append("]");
        for (TableChange t : tables) {
            if (t.changed() || writtenTiers.contains(t.tier())) {
                sb.append("\n  ").append(t);
            }
        }
        if (!untouchedTiers.isEmpty()) {
            sb.append("\n  untouched: ").append(String.join(", ", untouchedTiers));
        }
        for (ActionRecord a : actions) {
            sb.append("\n  ").append(a);
        }
        for (Expectation e : expectations) {
            sb.append("\n  ").append(e);
        }
        if (expectations.isEmpty()) {
            sb.append("\n  (no expectations)");
        }
        return sb.toString();
    }
}
