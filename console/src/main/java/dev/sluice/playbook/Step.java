package dev.sluice.playbook;

import java.util.List;

/**
 * One step: its position (1-based), name, the SHA-256 of its own source text (line endings normalised, so editing one
 * step leaves the others' checksums alone), where it starts in the file, its body, and whether it runs on every run
 * ({@code always}: recurring work such as a daily backup, whose history rows are a log rather than a gate), and whether
 * its SQLite tiers commit as one ({@code atomic}: ATTACHed to one connection, one COMMIT; see {@code PlaybookSession}).
 * Without either choice a step whose SQLite tiers are all rollback-journal files commits as one too; {@code perTier}
 * ({@code atomic: false}) opts out: each tier commits on its own connection, checked first (see {@code MultiTierCommit}).
 * Its precondition blocks ({@code requires}) are checked when the run starts, unless marked later, and again right before it runs.
 */
public record Step(int index, String name, String checksum, int line, int column, StepBody body, boolean always, boolean atomic,
                   boolean perTier, List<Requires> requires) {
    public Step {
        requires = requires == null ? List.of() : List.copyOf(requires);
    }

    public Step(int index, String name, String checksum, int line, int column, StepBody body, boolean always, boolean atomic,
                boolean perTier) {
        this(index, name, checksum, line, column, body, always, atomic, perTier, List.of());
    }

    public Step(int index, String name, String checksum, int line, int column, StepBody body, boolean always, boolean atomic,
                List<Requires> requires) {
        this(index, name, checksum, line, column, body, always, atomic, false, requires);
    }

    public Step(int index, String name, String checksum, int line, int column, StepBody body, boolean always, boolean atomic) {
        this(index, name, checksum, line, column, body, always, atomic, false, List.of());
    }

    public Step(int index, String name, String checksum, int line, int column, StepBody body) {
        this(index, name, checksum, line, column, body, false, false);
    }

    public Step(int index, String name, String checksum, int line, int column, StepBody body, boolean always) {
        this(index, name, checksum, line, column, body, always, false);
    }

    /** What the step does when run; the Groovy loader wraps the step's closure. */
    public interface StepBody {
        void run(StepContext context);
    }

    public String shortChecksum() {
        return checksum.substring(0, 12) + "…";
    }

    @Override
    public String toString() {
        return index + ". " + name;
    }
}
