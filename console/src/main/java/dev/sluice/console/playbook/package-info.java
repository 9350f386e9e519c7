/**
 * The playbook commands of the console ({@code /run}, {@code /steps}, {@code /next}, {@code /commit}, {@code /rollback},
 * {@code /skip}, {@code /status}) and the console as the inspector of {@code sluice run}: thin wrappers over
 * {@link dev.sluice.playbook.PlaybookSession}, one small class per verb. Depends on {@code console} and the public API of
 * {@code playbook}; the playbook engine must not know about this package (it only sees a {@link
 * dev.sluice.playbook.Decider} and an {@link dev.sluice.playbook.Inspector}).
 *
 * <p>Front end: the commands are the promise; the public types are wiring for the CLI, with no compatibility promise.
 */
package dev.sluice.console.playbook;
