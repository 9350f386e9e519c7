package dev.sluice.playbook;

import dev.sluice.dsl.Expectation;
import java.util.List;

/**
 * Everything a run does that someone may want to record or show: a journal subscribes here, the CLI renders from here.
 * Every method has an empty default.
 */
public interface RunListener {
    default void runStarted(Playbook playbook, List<StepStatus> steps, RunOptions options) {
    }

    /** The preconditions checked before the run started (they held: a failing report refuses the run instead). */
    default void preconditions(PreconditionReport report) {
    }

    /** A selected step that does not run: applied already, or outside the selection. */
    default void stepSkipped(StepStatus status, String reason) {
    }

    default void stepStarted(Step step, int position, int total) {
    }

    /** An expectation is about to be checked: what is observed until {@link #expectation} is what it compared. */
    default void expectationStarted(Step step, String name) {
    }

    default void expectation(Step step, Expectation expectation) {
    }

    /** A non-transactional action announced before it runs (outcome null), then what became of it. */
    default void action(Step step, ActionRecord record) {
    }

    default void stepResult(StepResult result) {
    }

    default void decision(Step step, Decision decision) {
    }

    /** Something worth telling the operator (a cleaned-up crash record, a note from the playbook). */
    default void note(String message) {
    }

    default void runFinished(RunSummary summary) {
    }

    /** Sends every event to each of {@code listeners}. */
    static RunListener all(List<RunListener> listeners) {
        return new RunListener() {
            @Override
            public void runStarted(Playbook p, List<StepStatus> s, RunOptions o) {
                listeners.forEach(l -> l.runStarted(p, s, o));
            }

            @Override
            public void preconditions(PreconditionReport r) {
                listeners.forEach(l -> l.preconditions(r));
            }

            @Override
            public void stepSkipped(StepStatus s, String reason) {
                listeners.forEach(l -> l.stepSkipped(s, reason));
            }

            @Override
            public void stepStarted(Step step, int position, int total) {
                listeners.forEach(l -> l.stepStarted(step, position, total));
            }

            @Override
            public void expectationStarted(Step step, String name) {
                listeners.forEach(l -> l.expectationStarted(step, name));
            }

            @Override
            public void expectation(Step step, Expectation e) {
                listeners.forEach(l -> l.expectation(step, e));
            }

            @Override
            public void action(Step step, ActionRecord r) {
                listeners.forEach(l -> l.action(step, r));
            }

            @Override
            public void stepResult(StepResult r) {
                listeners.forEach(l -> l.stepResult(r));
            }

            @Override
            public void decision(Step step, Decision d) {
                listeners.forEach(l -> l.decision(step, d));
            }

            @Override
            public void note(String m) {
                listeners.forEach(l -> l.note(m));
            }

            @Override
            public void runFinished(RunSummary s) {
                listeners.forEach(l -> l.runFinished(s));
            }
        };
    }
}
