package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;

/** Who decides in step mode: a person at a terminal, a test, or the fixed policies of --yes and --dry-run. */
public interface Decider {
    /** Commit, roll back, inspect, skip or quit, having seen the step's result. */
    Decision decide(StepResult result);

    /** Whether a non-transactional action announced inside a step may run now. */
    boolean confirm(Step step, NonTransactional.Action action);
}
