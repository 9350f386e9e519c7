package dev.sluice.playbook.groovy;

import dev.sluice.playbook.StepContext;

/** The {@code rollback { … }} block of a step: DSL calls (typically {@code restore 'name'}), run after the step's rollback. */
public final class RollbackDelegate extends DslCalls {
    RollbackDelegate(LoadContext load, StepContext step) {
        super(load, step);
    }
}
