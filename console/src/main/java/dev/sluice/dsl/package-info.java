/**
 * The public DSL: {@link dev.sluice.dsl.Sluice} (static entry, imported by the console and playbooks) and
 * {@link dev.sluice.dsl.Session} (an open workspace). Sits above tiers, snapshots and data movement; must not know the
 * console, the CLI or the journal.
 */
package dev.sluice.dsl;
