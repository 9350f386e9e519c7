package dev.sluice.playbook;

import java.util.ArrayList;
import java.util.List;

/**
 * Every precondition of a run with its outcome, as data: the playbook's own, then each selected pending step's. Entries
 * of {@code requires(later: true)} blocks are listed as deferred (checked right before their step) and count neither as
 * holding nor failing here. Prints as one line per entry; {@link #failureMessage} is the text of the refusal.
 */
public record PreconditionReport(String playbook, List<Entry> entries) {
    public PreconditionReport {
        entries = List.copyOf(entries);
    }

    /**
     * One precondition: {@code scope} is {@code playbook} or {@code step 3 'name'}; {@code outcome} is null for a deferred one.
     */
    public record Entry(String scope, String what, Precondition.Outcome outcome) {
        public boolean deferred() {
            return outcome == null;
        }

        public boolean failed() {
            return outcome != null && !outcome.holds();
        }

        /** {@code step 2 'copy': table tier1.archive_tags: found missing; wanted present. Create it, …} */
        public String line() {
            if (outcome == null) {
                return scope + ": " + what + ": checked right before the step runs (later)";
            }
            if (outcome.holds()) {
                return scope + ": " + what + ": holds (" + outcome.found() + ")";
            }
            return scope + ": " + what + ": found " + outcome.found() + "; wanted " + outcome.wanted() + "."
                    + (outcome.fix() == null ? "" : " " + outcome.fix());
        }

        @Override
        public String toString() {
            return (deferred() ? "  … " : failed() ? "  ✗ " : "  ✓ ") + line();
        }
    }

    public List<Entry> failures() {
        return entries.stream().filter(Entry::failed).toList();
    }

    public boolean holds() {
        return failures().isEmpty();
    }

    public long checked() {
        return entries.stream().filter(e -> !e.deferred()).count();
    }

    public long deferred() {
        return entries.stream().filter(Entry::deferred).count();
    }

    /** {@code Preconditions: 7 hold (2 checked right before their steps).} */
    public String summary() {
        if (entries.isEmpty()) {
            return "Preconditions: none declared.";
        }
        long failed = failures().size();
        return "Preconditions: " + (failed == 0 ? checked() + " hold" : failed + " of " + checked() + " failed")
                + (deferred() == 0 ? "" : " (" + deferred() + " checked right before their steps)") + ".";
    }

    /** The refusal: a first line, then one line per failure (scope, what, found vs wanted, what to do). */
    public String failureMessage(boolean dryRun) {
        List<Entry> f = failures();
        List<String> lines = new ArrayList<>();
        lines.add(playbook + ": " + f.size() + " of " + checked() + " precondition" + (checked() == 1 ? "" : "s") + " failed; "
                + (dryRun ? "nothing ran" : "nothing ran and nothing was written to any tier") + ":");
        f.forEach(e -> lines.add("  " + e.line()));
        return String.join("\n", lines);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(summary());
        entries.forEach(e -> sb.append('\n').append(e));
        return sb.toString();
    }
}
