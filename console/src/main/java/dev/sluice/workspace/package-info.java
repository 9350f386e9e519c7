/**
 * Workspace configuration: sluice.json/yaml, tier definitions, environment interpolation, secrets and their redaction.
 * Pure configuration: it opens no connection and must not know about tiers' connections, the DSL, playbooks or the console.
 */
package dev.sluice.workspace;
