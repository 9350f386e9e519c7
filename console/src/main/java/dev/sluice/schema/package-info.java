/**
 * Idempotent schema helpers ({@code createTable}, {@code addColumn}, {@code createIndex}, {@code rebuild}): each looks in
 * the catalogue first and does nothing when the change is already there, and runs in whatever transaction the tier has
 * open (a playbook step's). Depends only on {@code tier}; must not know about playbooks, history, the console or the journal.
 *
 * <p>Operators see {@code SchemaChange} (through {@code Sluice}); the rest has no compatibility promise.
 */
package dev.sluice.schema;
