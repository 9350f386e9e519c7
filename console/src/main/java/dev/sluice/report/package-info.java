/**
 * Reports: one self-contained HTML page (inline CSS, no script, nothing fetched) or a Markdown file a DBA can attach to a
 * change ticket, rendered from a run's or a replay's journal. {@code ReportContent} reads the journal once — the verdict,
 * the playbook, who, where, when, every step with its outcome, schema changes, row deltas, checksums and the values each
 * expectation compared, and for a replay the journal replayed and the divergence recorded vs now — and says what an older
 * journal does not hold; {@code HtmlReport} and {@code MarkdownReport} only draw it. Knows the journal's format; must not
 * know the console or the CLI.
 *
 * <p>Nothing here is operator DSL; the public types are wiring for the CLI, with no compatibility promise.
 */
package dev.sluice.report;
