/**
 * What Sluice records inside each tier, in tables of its own: {@code sluice_history} (one row per applied playbook step,
 * written in the step's own transaction) and {@code sluice_migrations} (the SQL files {@code migrate(tier, dir)} applied,
 * with their SHA-256). And the run locks, which live outside the tiers and die with their holder ({@link
 * dev.sluice.history.RunLocks}): an OS file lock beside each SQLite file, a session advisory lock on PostgreSQL; the
 * {@code sluice_lock} table of older versions is only read, and dropped once its holder is gone. Depends only on
 * {@code tier}; must not know about playbooks, the console, the CLI or the journal.
 *
 * <p>Operators see {@code MigrateResult}; every other public type here is engine wiring for Sluice's own packages, with no compatibility promise.
 */
package dev.sluice.history;
