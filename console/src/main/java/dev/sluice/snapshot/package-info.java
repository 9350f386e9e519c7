/**
 * Snapshots: consistent copies of SQLite tiers (their files copied under a read transaction, the -wal too in WAL mode, or
 * through the online backup API where no {@code cp} is on PATH), and of PostgreSQL tiers' schemas through
 * pg_dump, pg_restore and psql run as child processes ({@code PgTools}; a restore leaves the schema holding exactly what
 * the dump holds), a manifest with SHA-256, counts and integrity (or, for PostgreSQL, checksums) per file, verified
 * restore that first snapshots the current state, retention, and logical SQL dumps. A damaged
 * tier file is kept as a raw byte copy and replaced whole (never read through SQLite), its tier reopened in place.
 * The sandbox ({@code Sandbox}): throwaway copies of every tier (SQLite files, PostgreSQL scratch databases) and a
 * workspace pointing at them.
 * Progress: each phase of a snapshot or restore (bytes copied, hashed and copied back, tables counted, integrity_check)
 * is opened by {@code Phases} on the tier set's hook ({@code TierInternals.work}), which the session turns into its front
 * end's events; this package sits beside data, not above it, so it never sees {@code DataEvents}. Nobody watching: no
 * phase is opened and the copies run in one piece, as before.
 * Knows tiers and the workspace; must not know playbooks, the journal or the console.
 *
 * <p>Operators see {@code Snapshot}; {@code Snapshots} and the rest are reached through {@code Sluice} and have no compatibility promise.
 */
package dev.sluice.snapshot;
