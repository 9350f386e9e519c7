package dev.sluice.playbook;

import dev.sluice.dsl.Session;

/**
 * One thing that must hold before a playbook (or a step) runs: a table, columns, a journal mode, free disk space, a free
 * snapshot name, a reachable service, or any named check. Checking only reads: it never writes to a tier or the workspace.
 * {@link Preconditions} builds the kinds the {@code requires { … }} block offers.
 */
public interface Precondition {
    /** What is required, as the report names it: {@code table tier1.conversations}. */
    String what();

    /** Reads what is there and says whether it holds; throwing counts as not holding, with the error as what was found. */
    Outcome check(Session session);

    /** What was found against what was wanted, and (when it does not hold) what to do. */
    record Outcome(boolean holds, String found, String wanted, String fix) {
        public static Outcome holds(String found, String wanted) {
            return new Outcome(true, found, wanted, null);
        }

        public static Outcome fails(String found, String wanted, String fix) {
            return new Outcome(false, found, wanted, fix);
        }
    }
}
