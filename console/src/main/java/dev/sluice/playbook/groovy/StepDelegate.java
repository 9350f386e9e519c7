package dev.sluice.playbook.groovy;

import dev.sluice.dsl.Expectation;
import dev.sluice.playbook.StepContext;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;

/** The {@code step 'name', { … }} block: any DSL call, plus {@code expect} and {@code rollback}. */
public final class StepDelegate extends DslCalls {
    StepDelegate(LoadContext load, StepContext step) {
        super(load, step);
    }

    /** A named check, evaluated here inside the step's transactions; its outcome is shown before the decision. */
    public Expectation expect(String name, @DelegatesTo(value = ExpectDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> check) {
        if (step.insideExpectation()) {
            throw load.misuse(Grammar.Keyword.EXPECT);
        }
        Closure<?> c = (Closure<?>) check.clone();
        c.setDelegate(new ExpectDelegate());
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        return step.expect(name, () -> DefaultTypeTransformation.castToBoolean(c.call()));
    }

    /**
     * A {@code requires} block that is not a statement directly in the step body (inside an {@code if}, a loop or a
     * closure) would be seen only once the step runs: refused. Those written directly in the body never reach here.
     */
    public void requires(Object... args) {
        throw new dev.sluice.error.SluiceException(dev.sluice.error.ErrorCode.PLAYBOOK, load.position(null, "requires")
                + ": 'requires' must be a statement directly in the step body (not inside an if, a loop or a closure), so the run "
                + "can check it before anything runs.");
    }

    /** What to do if the operator rejects this step after its non-transactional actions ran (runs after the rollback). */
    public void rollback(@DelegatesTo(value = RollbackDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        if (step.insideExpectation()) {
            throw load.misuse(Grammar.Keyword.ROLLBACK);
        }
        Closure<?> c = (Closure<?>) body.clone();
        c.setDelegate(new RollbackDelegate(load, step));
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        step.onRollback(() -> {
            try {
                c.call();
            } catch (RuntimeException e) {
                throw load.placed(e);
            }
        });
    }
}
