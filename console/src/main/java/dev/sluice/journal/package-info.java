/**
 * The journal: every console session and run is written as JSON lines (a header, then input, output, observation, step,
 * decision, error and end events), each carrying the SHA-256 of the line before it; reading verifies that chain (under
 * {@code --force} keeping only the lines it vouches for), replay re-executes a journal and compares observations — the
 * facts DSL calls return and, since format 2, what the console showed (a query's rows by digest, an exec's count, a
 * value) — export turns one into a playbook or a Markdown runbook.
 * Knows tiers (it listens to their observations), the workspace (secrets to redact) and the DSL; must not know the
 * terminal: the console and the CLI drive it.
 *
 * <p>Nothing here is operator DSL: the journal file format (README) is the promise; the public types are wiring, with no compatibility promise.
 */
package dev.sluice.journal;
