/**
 * Moving and comparing data between tiers: {@link dev.sluice.data.TableCopy copy and consolidate} (SQLite ATTACH +
 * INSERT … SELECT, PostgreSQL COPY, batched INSERT), {@link dev.sluice.data.Backfill resumable batched backfills},
 * {@link dev.sluice.data.TableDiff diff} (in SQLite with a file attached, streamed merge, or bisection) and {@link dev.sluice.data.SpotChecks spot checks}. Results are
 * public records ({@code CopyResult}, {@code BackfillResult}, {@code Diff}, {@code SpotCheck}); the rest is an
 * implementation detail with no compatibility promise.
 *
 * <p>Depends on {@code tier} and {@code error} only. It must not know about playbooks, the console or the journal: those
 * call in, and see what happened through the returned records and {@code TierInternals.observe}. It never prints: notes and
 * progress go to the {@link dev.sluice.data.DataEvents} the caller passes, and the front ends draw them. Progress is
 * throttled ({@code Ticker}: one comparison per row, an event per tenth of the total or 200 ms) and costs nothing, not even
 * the count of the total, when the listener is not {@code listening()}.
 */
package dev.sluice.data;
