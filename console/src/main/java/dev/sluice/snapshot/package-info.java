/**
 * Snapshots: consistent copies of SQLite tiers through the online backup API, a manifest with SHA-256, counts and
 * integrity per file, verified restore that first snapshots the current state, retention, and logical SQL dumps.
 * Knows tiers and the workspace; must not know playbooks, the journal or the console.
 */
package dev.sluice.snapshot;
