package dev.sluice.playbook;

import java.util.List;

/**
 * One {@code requires { … }} block of a playbook or a step: where it is, whether it waits until its step is about to run
 * ({@code later}: for tables an earlier step of the same run creates), and how to get its preconditions. The block is
 * evaluated when the run starts (tiers and parameters are bound by then), not when the file is loaded.
 */
public record Requires(String where, boolean later, Declarations declarations) {
    /** Evaluates the block's declarations; throws when the block itself cannot be evaluated (an unknown name). */
    public interface Declarations {
        List<Precondition> declare();
    }
}
