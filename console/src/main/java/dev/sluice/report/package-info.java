/**
 * Reports: one self-contained HTML page (no external assets) or a Markdown file describing a run or a replay — steps on a
 * timeline, rows before/after per table as bars, checksums, expectations, decisions and who ran it — rendered from its
 * journal. Knows the journal's format; must not know the console or the CLI.
 */
package dev.sluice.report;
