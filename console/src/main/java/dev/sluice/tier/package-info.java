/**
 * Tiers: one live JDBC connection per named database, and the DSL calls on it — introspection, queries
 * ({@link dev.sluice.tier.Rows}), integrity, fingerprint, the engine-independent checksum, transactions and freeze, and
 * the one connection an atomic step ATTACHes SQLite tiers to ({@link dev.sluice.tier.SharedConnection}, with its raw-SQL guard),
 * and the driver errors whose cause is not the statement (damaged file, lock, read-only folder, full disk, duplicate key:
 * {@code SqlErrors}), and {@link dev.sluice.tier.SqlLexer}, the one reader of SQL text (SQLite and PostgreSQL quoting,
 * comments and bodies) that every package splitting or scanning SQL goes through (internal: no compatibility promise).
 * The SQLite driver's own classes stay here (and in snapshot, data): layers above watch a step's row
 * changes through {@link dev.sluice.tier.RowWatch}. {@code Rows} print as the display their printer bound for its thread
 * says (its width at print time, measured in terminal columns with JLine's wcwidth; table, box, CSV or JSON:
 * {@code TableRenderer}, {@code RowsText}); a query the console marks as a preview reads at most
 * {@link dev.sluice.tier.Rows#PREVIEW_ROWS} rows. They remember the {@code query} call that returned them, so a journal can name the rows the console showed.
 * {@code TableDescriber} reads a table's full description (psql's
 * {@code \d}) from each engine's own catalogue.
 * {@link dev.sluice.tier.PinnedFingerprint} pins a tier's state on a second, read-only connection for a journal header
 * counted in the background, and {@link dev.sluice.tier.PinnedWrites} is the SQLite busy handler that makes a write to a
 * rollback-journal tier wait for that pin's release instead of failing, for at most its busy timeout (then the pin is
 * given up and the write goes on; internal: no compatibility promise).
 * Knows the workspace configuration; must not know about snapshots, data movement, playbooks, the journal or the console
 * (they listen through {@link dev.sluice.tier.TierInternals.Listener}).
 * <p>{@code Tier} is the front: each call is one line handed to a package-private room read in one sitting —
 * {@code TierConnection} (own or shared connection, routing, transactions and who may end them, freeze, close),
 * {@code TierStatements} (query and its preview, each, exec, script, rows changed, cancel), {@code TierCatalogue} (tables, columns,
 * indexes, schema, counts), {@code TableDescriber} (describe, PostgreSQL's schema), {@code TierChecks} (integrity checks, fingerprint), {@code TierErrors} (driver errors in one
 * line, damage, the own lock holder) and {@code TierListeners} (observations and writes heard by the tier's and its set's
 * listeners, and the one that watches a long read: a checksum reports its rows a chunk at a time, never printing; the
 * set's hook for long work on its files, {@code TierInternals.work}, through which snapshots report bytes and tables).
 * <p>The operator's surface is {@code Tier}'s public calls and the records they return. Engine levers (raw connection,
 * routing, listeners, observations, cancel, engine commits) are reached through {@link dev.sluice.tier.TierInternals}:
 * no compatibility promise.
 */
package dev.sluice.tier;
