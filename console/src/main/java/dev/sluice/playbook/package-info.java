/**
 * The playbook engine: the model ({@link dev.sluice.playbook.Playbook}, {@link dev.sluice.playbook.Step}), the step runner
 * ({@link dev.sluice.playbook.PlaybookSession} runs one step at a time and leaves its transactions open for a decision,
 * {@link dev.sluice.playbook.StepRunner} drives a whole run, {@code AtomicStep} is the one-COMMIT path, by default where
 * every SQLite tier allows it, {@code MultiTierCommit} the ordered, checked commit elsewhere with its pre-step snapshots), and the results it returns as data
 * ({@link dev.sluice.playbook.StepResult}, {@link dev.sluice.playbook.RunSummary}), and preconditions: the kinds a
 * {@code requires} block declares ({@link dev.sluice.playbook.Preconditions}), the blocks ({@link dev.sluice.playbook.Requires})
 * and the report every run checks before it writes anything ({@link dev.sluice.playbook.PreconditionReport}). Front ends plug in through
 * {@link dev.sluice.playbook.Decider}, {@link dev.sluice.playbook.Inspector} and {@link dev.sluice.playbook.RunListener},
 * and stop a run from another thread with {@code PlaybookSession.cancel} (they own the signals; this package has none).
 * Knows nothing of Groovy (the {@code groovy} subpackage turns files into playbooks), the console, the CLI or the journal.
 *
 * <p>Operators meet this package through playbooks and what runs print; its public types are the engine's interface to Sluice's own front ends, with no compatibility promise.
 */
package dev.sluice.playbook;
