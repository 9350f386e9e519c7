package dev.sluice.playbook;

import dev.sluice.dsl.Session;

/**
 * Lets the operator look around while a step's transactions are open: same connections, so uncommitted rows are
 * visible. Returns when the operator is done; the step is then still waiting for a decision. The console plugs in its
 * JShell ({@code dev.sluice.console.playbook.ConsoleInspector}); the engine itself has none, so a {@link StepRunner}
 * without an inspector answers "inspect" with an error.
 */
public interface Inspector {
    void inspect(Session session, StepContext context);
}
