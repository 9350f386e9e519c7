/**
 * The console's standard {@code /commands} (/help, /tiers, /tables, /schema, /groovy, /history, /save, /exit), one small
 * class each behind {@link dev.sluice.console.SlashCommand}. They use only the session and the console's
 * {@link dev.sluice.console.CommandContext}; they must not know playbook internals, the journal or the CLI.
 */
package dev.sluice.console.commands;
