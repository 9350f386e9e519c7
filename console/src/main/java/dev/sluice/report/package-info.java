/**
 * Reports: one self-contained HTML page (no external assets) or a Markdown file describing a run or a replay — steps on a
 * timeline, rows before/after per table as bars, checksums, expectations, decisions and who ran it — rendered from its
 * journal. Knows the journal's format; must not know the console or the CLI.
 *
 * <p>Nothing here is operator DSL; the public types are wiring for the CLI, with no compatibility promise.
 */
package dev.sluice.report;
