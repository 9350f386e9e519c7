package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;

/** Who decides in step mode: a person at a terminal, a test, or the fixed policies of --yes and --dry-run. */
public interface Decider {
    /** Commit, roll back, inspect, skip or quit, having seen the step's result. */
    Decision decide(StepResult result);

    /** Whether a non-transactional action announced inside a step may run now. */
    boolean confirm(Step step, NonTransactional.Action action);

    /**
     * A yes/no question about settling a step an earlier run left committed on only some tiers ({@link PartialSteps}),
     * asked before this run starts. Asked as a confirmation of a non-transactional action unless the decider says it better.
     */
    default boolean settle(Step step, String question) {
        return confirm(step, new NonTransactional.Action("recover", question, java.util.List.of(), true));
    }
}
