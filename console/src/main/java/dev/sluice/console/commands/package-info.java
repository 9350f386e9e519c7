/**
 * The console's {@code /commands}, one small class each behind {@link dev.sluice.console.SlashCommand}: the standard set
 * ({@link dev.sluice.console.commands.StandardCommands}: /help, /tiers, /tables, /schema, /describe, /mode, /groovy, /history, /save, the
 * playbook commands of {@code console.playbook}, /exit) and the journal's (/journal, /record). They use the session, the
 * console's {@link dev.sluice.console.CommandContext} and, for the journal's, the {@code journal} they are given; they
 * must not know the CLI.
 *
 * <p>Front end: the commands are the promise; the public types are wiring for the CLI, with no compatibility promise.
 */
package dev.sluice.console.commands;
