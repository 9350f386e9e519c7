/**
 * The Groovy side of playbooks: the grammar (which keyword may appear in which block, as data), the loader that parses a
 * file, checks the grammar on its syntax tree and reports misuse as {@code file:line:column}, and one delegate class per
 * nesting level ({@code PlaybookDelegate}, {@code StepDelegate}, {@code ExpectDelegate}, {@code RollbackDelegate},
 * {@code RequiresDelegate}) with explicit methods per keyword, {@code @DelegatesTo} and {@code DELEGATE_FIRST};
 * {@code StepRequiresHoist}, which lifts a step's {@code requires} statements out of its body at compile time so a run
 * can check them without running the step; {@code ExpectPowerAssert}, which makes the condition an {@code expect}
 * closure ends with a Groovy {@code assert} so a failure shows the values compared; {@code NoJvmExit}, which refuses a
 * playbook that calls {@code System.exit} or
 * {@code Runtime.exit/halt}; {@code SyntaxLocator}, which finds where a syntax error really is; and
 * {@code DeclarationsOnly}, which compiles a playbook for listing and dry runs with only its declarations. Depends on the playbook engine and the
 * DSL; must not know about the console, the CLI or the journal.
 *
 * <p>Playbook files are the interface; the public types here are wiring for Sluice's own packages, with no compatibility promise.
 */
package dev.sluice.playbook.groovy;
