/**
 * What Sluice records inside each tier, in tables of its own: {@code sluice_history} (one row per applied playbook step,
 * written in the step's own transaction), {@code sluice_migrations} (the SQL files {@code migrate(tier, dir)} applied,
 * with their SHA-256) and {@code sluice_lock} (who is running against the tier). Depends only on {@code tier}; must not
 * know about playbooks, the console, the CLI or the journal.
 */
package dev.sluice.history;
