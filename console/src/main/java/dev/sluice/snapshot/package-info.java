/**
 * Snapshots: consistent copies of SQLite tiers through the online backup API, a manifest with SHA-256, counts and
 * integrity per file, verified restore that first snapshots the current state, retention, and logical SQL dumps. A damaged
 * tier file is kept as a raw byte copy and replaced whole (never read through SQLite), its tier reopened in place. The
sandbox: throwaway copies of every tier (SQLite files, PostgreSQL scratch databases) and a workspace pointing at them.
 * Knows tiers and the workspace; must not know playbooks, the journal or the console.
 */
package dev.sluice.snapshot;
