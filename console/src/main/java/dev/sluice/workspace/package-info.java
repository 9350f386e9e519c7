/**
 * Workspace configuration: sluice.json/yaml, tier definitions, environment interpolation, secrets and their redaction.
 * Pure configuration: it opens no connection and must not know about tiers' connections, the DSL, playbooks or the console.
 *
 * <p>The files (sluice.json, sluice.yaml) are the promise; the public types are wiring for Sluice's own packages, with no compatibility promise.
 */
package dev.sluice.workspace;
