/**
 * The interactive console: an in-process JShell ({@link dev.sluice.console.Evaluator}, on the DSL's own class loader)
 * driven by {@link dev.sluice.console.Console}, with JLine input, completion for Java and workspace names,
 * {@code /commands} ({@link dev.sluice.console.SlashCommand}, registered in {@link dev.sluice.console.SlashCommands}),
 * rendering for people and one-line errors. May depend on {@code dsl}, {@code tier}, {@code snapshot} and
 * {@code workspace}; its playbook commands live in {@code console.playbook} and use only the playbook engine's public
 * API. It must not know the journal: that plugs in through {@link dev.sluice.console.Console.Options#withCommands} and
 * {@link dev.sluice.console.EvalListener}.
 */
package dev.sluice.console;
