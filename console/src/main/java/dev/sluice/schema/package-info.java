/**
 * Idempotent schema helpers ({@code createTable}, {@code addColumn}, {@code createIndex}, {@code rebuild}): each looks in
 * the catalogue first and does nothing when the change is already there, and runs in whatever transaction the tier has
 * open (a playbook step's). Also the shape of a tier's tables ({@code TierShape}: columns, indexes, triggers, read from
 * the catalogue) and what changed between two shapes ({@code SchemaEdit}), which a step records for its report.
 * Depends only on {@code tier}; must not know about playbooks, history, the console or the journal.
 *
 * <p>Operators see {@code SchemaChange} (through {@code Sluice}); the rest has no compatibility promise.
 */
package dev.sluice.schema;
