package dev.sluice.console.playbook;

import dev.sluice.console.CommandContext;
import dev.sluice.dsl.NonTransactional;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Decider;
import dev.sluice.playbook.Decision;
import dev.sluice.playbook.Step;
import dev.sluice.playbook.StepResult;

/**
 * Step mode at the console: the decision about a step is a command ({@code /commit}, {@code /rollback}, {@code /skip}),
 * and a non-transactional action inside a step's body is announced and asked {@code [y/N]} on the console's own
 * terminal (in a script: the next line answers).
 */
final class ConsoleDecider implements Decider {
    private final CommandContext console;

    ConsoleDecider(CommandContext console) {
        this.console = console;
    }

    @Override
    public Decision decide(StepResult result) {
        throw new SluiceException(ErrorCode.UNSUPPORTED, "At the console a step is decided with /commit, /rollback or /skip.");
    }

    @Override
    public boolean confirm(Step step, NonTransactional.Action action) {
        console.out().flush();
        return console.confirm("Step '" + step.name() + "' wants to " + action.description()
                + " (not transactional: a rollback cannot undo it). Go ahead? [y/N] ");
    }
}
