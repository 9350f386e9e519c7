/**
 * The interactive console: an in-process JShell ({@link dev.sluice.console.Evaluator}, on the DSL's own class loader)
 * driven by {@link dev.sluice.console.Console}, with JLine input, completion for Java and workspace names, the
 * {@code /command} interface ({@link dev.sluice.console.SlashCommand}) and its one argument syntax
 * ({@link dev.sluice.console.Arguments}), rendering for people (the display results print with: the terminal's width
 * when they print, the {@code /mode}; a query typed alone as a preview), a history redacted as journals are and without
 * answers to questions, the drawing of engine events ({@link
 * dev.sluice.console.TerminalEvents}: notes, progress bars, one per phase and wiped when it ends for a snapshot or
 * restore; while a call runs on a terminal, its progress in the spinner's
 * line, {@code StatusLine}) and one-line errors. May depend on the engine ({@code dsl},
 * {@code playbook} and below). It knows none of its commands: whoever opens a console hands it the list
 * ({@link dev.sluice.console.Console.Options#withCommands}), so it must not import {@code console.commands},
 * {@code console.playbook}, the journal or the CLI; the journal plugs in through that list and
 * {@link dev.sluice.console.EvalListener}, which also hands it the object each input showed (JShell passes on only its
 * text: {@code SharedExecution} keeps where each snippet variable lives to read the object back).
 *
 * <p>Front end: the commands and the prompt are the promise; the public types are wiring for the CLI, with no compatibility promise.
 */
package dev.sluice.console;
