package dev.sluice.console.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Step;
import java.util.function.Supplier;

/**
 * The gate while a step waits for a decision at the console: a snapshot, restore, VACUUM… typed at the prompt would run
 * beside the step's open transactions (a snapshot could even copy its uncommitted rows), so it is refused. Inside a
 * step's body such actions go through the playbook's own gate and are asked for.
 */
final class OpenStepGate implements NonTransactional {
    private final Step step;
    private final String remedy;

    OpenStepGate(Step step, String remedy) {
        this.step = step;
        this.remedy = remedy;
    }

    @Override
    public <T> T perform(Action action, Supplier<T> body) {
        throw new SluiceException(ErrorCode.USAGE, "Refused to " + action.description() + " while step '" + step.name()
                + "' is open: it is not transactional and would run beside the step's open transactions. " + remedy
                + ", or make it part of a step, where it is asked for before it runs.");
    }
}
