package dev.sluice.data;

import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Format;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Row;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resumable keyset backfill (seed 000, phase 3). Keys of the source (a table's single-column primary key or rowid, or
 * the first column of a SELECT) are walked in order, {@code batchRows} at a time; each batch runs in its own transaction
 * together with its checkpoint row in {@code sluice_progress}, so a stopped or killed backfill resumes after the last
 * committed batch and never applies a batch twice. The table exists only while some backfill of the tier is
 * unfinished: the first batch creates it, and the backfill that completes last drops it (seed 000: helper tables are
 * dropped when the migration no longer needs them). A completed backfill leaves no trace, so running it again walks the
 * keys again: write its statement so that a second pass changes nothing ({@code WHERE c IS NULL}).
 *
 * <p>A watchdog interrupts a batch that exceeds the cap (Tier.cancel()); the batch is rolled back and retried at half
 * the size, and after {@code maxOverruns} overruns in a row the backfill stops, keeping its checkpoint. Ctrl-C (thread
 * interrupt or Tier.cancel() from the console) rolls back the current batch and stops the same way.
 */
public final class Backfill {
    /** The work of one batch; runs inside the batch's transaction (Groovy closures coerce to it). */
    @FunctionalInterface
    public interface Body {
        void apply(Batch batch);
    }

    static final String PROGRESS_TABLE = "sluice_progress";
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-backfill-cap");
        t.setDaemon(true);
        return t;
    });

    private final Tier tier;
    private final String table;
    private final String from;
    private final String key;
    private final BackfillOptions opt;
    private final String name;

    private Backfill(Tier tier, String table, String from, String key, BackfillOptions opt, String name) {
        this.tier = tier;
        this.table = table;
        this.from = from;
        this.key = key;
        this.opt = opt;
        this.name = name;
    }

    /** The SQL form: {@code UPDATE t SET … WHERE id BETWEEN :lo AND :hi}, keyed on the table the statement changes. */
    public static BackfillResult sql(Tier tier, String sql, BackfillOptions opt) {
        String t = target(SqlLexer.code(sql, tier.engine()));
        if (t == null) {
            throw new SluiceException(ErrorCode.USAGE, "backfill: cannot tell which table to walk from: " + sql.strip().split("\n")[0]
                    + ". Start it with UPDATE t or DELETE FROM t, or name the table: backfill(tier, 'table', sql).");
        }
        return sql(tier, t, sql, opt);
    }

    /** The table of {@code UPDATE [OR x] t …} or {@code DELETE FROM t …} (t bare or quoted, comments before it aside), or null. */
    static String target(List<SqlLexer.Token> code) {
        int i = 0;
        if (code.size() > 1 && code.get(0).is("UPDATE")) {
            i = code.size() > 3 && code.get(1).is("OR") ? 3 : 1;
        } else if (code.size() > 2 && code.get(0).is("DELETE") && code.get(1).is("FROM")) {
            i = 2;
        } else {
            return null;
        }
        SqlLexer.Token t = code.get(i);
        return t.kind() == SqlLexer.Kind.WORD || t.kind() == SqlLexer.Kind.QUOTED_NAME ? t.name() : null;
    }

    /** The SQL form with the keyed table named (for INSERT … SELECT and other statements). */
    public static BackfillResult sql(Tier tier, String table, String sql, BackfillOptions opt) {
        List<String> params = SqlLexer.code(sql, tier.engine()).stream().filter(k -> k.kind() == SqlLexer.Kind.PARAMETER)
                .map(SqlLexer.Token::text).toList();
        if (!params.contains(":lo") || !params.contains(":hi")) {
            throw new SluiceException(ErrorCode.USAGE, "backfill: the statement must bound each batch with :lo and :hi, e.g. "
                    + "UPDATE t SET c = … WHERE id BETWEEN :lo AND :hi. Got: " + sql.strip().split("\n")[0]);
        }
        BackfillOptions o = opt.name() != null ? opt : opt.name("backfill " + table + " " + shortHash(sql));
        return run(tier, table, o, b -> b.exec(sql));
    }

    /** The closure form: {@code source} is a table name or a SELECT whose first column is the key. */
    public static BackfillResult run(Tier tier, String source, BackfillOptions opt, Body body) {
        if (tier.inTransaction()) {
            throw new SluiceException(ErrorCode.USAGE, "backfill commits every batch on its own, so it cannot run inside the open "
                    + "transaction on tier '" + tier.name() + "'. Commit or roll back first (in a playbook: give it a step of its own).");
        }
        if (tier.readOnly()) {
            throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' is read-only; refused to backfill it.");
        }
        String s = source.strip();
        String table;
        String from;
        String key;
        if (s.regionMatches(true, 0, "SELECT", 0, 6) || s.regionMatches(true, 0, "WITH", 0, 4)) {
            from = "(" + s + ") AS sluice_source";
            table = "(query)";
            key = tier.query("SELECT * FROM " + from + " LIMIT 1").columns().get(0);
        } else {
            table = s;
            from = Identifiers.quote(s);
            List<String> pk = tier.primaryKey(s);
            if (pk.size() == 1) {
                key = pk.get(0);
            } else if (tier.engine() == Engine.SQLITE) {
                key = "rowid";
            } else {
                throw new SluiceException(ErrorCode.UNSUPPORTED, "backfill: table '" + s + "' on tier '" + tier.name()
                        + "' has no single-column primary key to walk. Give a SELECT whose first column is a unique, ordered key.");
            }
        }
        String name = opt.name() != null ? opt.name() : "backfill " + table;
        return new Backfill(tier, table, from, key, opt, name).loop(body);
    }

    private record Range(Object lo, Object hi, long n) {
    }

    private BackfillResult loop(Body body) {
        long started = System.nanoTime();
        List<String> notes = new ArrayList<>();
        if (opt.restart() && tier.hasTable(PROGRESS_TABLE)) {
            tier.exec("DELETE FROM " + PROGRESS_TABLE + " WHERE name = ?", name);
        }
        Row cp = checkpoint();
        Object last = cp == null ? null : decodeKey(cp.get("last_key"), (String) cp.get("key_type"));
        long doneBefore = cp == null ? 0 : ((Number) cp.get("rows_done")).longValue();
        if (cp != null && "done".equals(cp.get("status"))) {
            if (opt.keepFinished()) {
                // A playbook step killed after its backfill finished, before the step committed: the batches are in.
                notes.add("already finished on " + cp.get("updated") + "; its batches are not run again");
            } else {
                // Finished before (a step whose run never dropped it): honoured once, then cleared.
                notes.add("already finished on " + cp.get("updated") + "; its checkpoint is now cleared");
                finish();
            }
            return new BackfillResult(name, table, 0, 0, doneBefore, last, last, 0, opt.batchRows(), Duration.ZERO, 0, true, notes);
        }
        long remaining = countAfter(last);
        long total = doneBefore + remaining;
        int size = opt.batchRows();
        int overrunsInARow = 0;
        int overruns = 0;
        long rows = 0;
        long batches = 0;
        Object resumedAfter = last;
        try (DataEvents.Progress bar = progress(total, doneBefore)) {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw cancelled(last, doneBefore + rows, null);
                }
                Range r = next(last, size);
                if (r.n() == 0) {
                    break;
                }
                AtomicBoolean capFired = new AtomicBoolean();
                long t0 = System.nanoTime();
                tier.begin();
                ScheduledFuture<?> dog = WATCHDOG.schedule(() -> {
                    capFired.set(true);
                    TierInternals.cancel(tier);
                }, opt.cap().toNanos(), TimeUnit.NANOSECONDS);
                RuntimeException failure = null;
                try {
                    body.apply(new Batch(tier, from, key, r.lo(), r.hi(), r.n(), batches + 1));
                    saveCheckpoint(r.hi(), doneBefore + rows + r.n(), "running");
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    dog.cancel(false);
                }
                long took = System.nanoTime() - t0;
                if (failure == null && Thread.currentThread().isInterrupted()) {
                    TierInternals.rollback(tier); // Ctrl-C while the batch ran: it does not count, the checkpoint stays where it was
                    throw cancelled(last, doneBefore + rows, null);
                }
                boolean over = capFired.get() || took > opt.cap().toNanos();
                if (failure != null || over) {
                    TierInternals.rollback(tier);
                    if (!over) {
                        if (failure instanceof SluiceException se && se.code() == ErrorCode.CANCELLED || Thread.currentThread().isInterrupted()) {
                            throw cancelled(last, doneBefore + rows, failure);
                        }
                        throw new SluiceException(failure instanceof SluiceException se ? se.code() : ErrorCode.FAILURE,
                                "Backfill '" + name + "' failed in the batch of keys " + r.lo() + ".." + r.hi() + ": "
                                        + failure.getMessage().replaceFirst("\\.$", "") + ". That batch was rolled back; the checkpoint keeps "
                                        + Format.count(doneBefore + rows) + " rows done" + (last == null ? "" : " up to key " + last)
                                        + ". Fix the cause and run it again to resume.", failure);
                    }
                    overruns++;
                    overrunsInARow++;
                    if (overrunsInARow >= opt.maxOverruns() || size == 1) {
                        throw new SluiceException(ErrorCode.FAILURE, "Backfill '" + name + "' stopped: " + overrunsInARow
                                + " batches in a row took longer than the " + Format.duration(opt.cap()) + " cap (the last, "
                                + Format.count(r.n()) + " rows from key " + r.lo() + ", took " + Format.nanos(took)
                                + " and was rolled back). The checkpoint keeps " + Format.count(doneBefore + rows) + " rows done"
                                + (last == null ? "" : " up to key " + last) + ". Find what makes a batch slow (a missing index?), or raise "
                                + "the cap, then run it again to resume.");
                    }
                    size = Math.max(1, size / 2);
                    continue;
                }
                TierInternals.commit(tier);
                overrunsInARow = 0;
                rows += r.n();
                batches++;
                last = r.hi();
                bar.stepTo(doneBefore + rows);
                throttle(started, rows);
            }
            if (opt.keepFinished()) {
                markDone(last, doneBefore + rows);
            } else {
                finish();
            }
        }
        long elapsed = System.nanoTime() - started;
        if (overruns > 0) {
            notes.add(overruns + " batch(es) went over the " + Format.duration(opt.cap()) + " cap; finished with batches of " + size + " rows");
        }
        BackfillResult res = new BackfillResult(name, table, rows, batches, doneBefore + rows, resumedAfter, last, overruns, size,
                Duration.ofNanos(elapsed), rows / Math.max(elapsed / 1e9, 1e-9), true, notes);
        return TierInternals.observe(tier, "backfill", List.of(name, table), res);
    }

    private SluiceException cancelled(Object last, long done, Throwable cause) {
        return new SluiceException(ErrorCode.CANCELLED, "Backfill '" + name + "' cancelled: the current batch was rolled back; "
                + Format.count(done) + " rows are done" + (last == null ? "" : " up to key " + last) + ". Run it again to resume.", cause);
    }

    private void throttle(long started, long rows) {
        long sleepMs = opt.pause().toMillis();
        if (opt.maxRowsPerSecond() > 0) {
            double due = rows / opt.maxRowsPerSecond() * 1000 - (System.nanoTime() - started) / 1e6;
            sleepMs = Math.max(sleepMs, (long) due);
        }
        if (sleepMs > 0) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Progress goes to the caller's listener, which draws it (a terminal's bar) or not; {@code progress: false} sends none. */
    private DataEvents.Progress progress(long total, long done) {
        if (Boolean.FALSE.equals(opt.progress())) {
            return DataEvents.Progress.NONE;
        }
        return opt.events().started(name, "rows", total, done, Boolean.TRUE.equals(opt.progress()));
    }

    // ---------------------------------------------------------------- keys

    private Range next(Object after, int size) {
        String k = Identifiers.quote(key);
        String inner = "SELECT " + k + " AS k FROM " + from + (after == null ? "" : " WHERE " + k + " > ?") + " ORDER BY " + k + " LIMIT " + size;
        Row r = after == null ? tier.query("SELECT min(k), max(k), count(*) FROM (" + inner + ") AS b").get(0)
                : tier.query("SELECT min(k), max(k), count(*) FROM (" + inner + ") AS b", after).get(0);
        return new Range(r.get(0), r.get(1), ((Number) r.get(2)).longValue());
    }

    private long countAfter(Object after) {
        String k = Identifiers.quote(key);
        Object n = after == null ? tier.query("SELECT count(*) FROM " + from).value()
                : tier.query("SELECT count(*) FROM " + from + " WHERE " + k + " > ?", after).value();
        return ((Number) n).longValue();
    }

    // ---------------------------------------------------------------- checkpoint

    /** Created by the first batch, in its transaction: a backfill with nothing to do leaves no table behind. */
    private void ensureProgressTable() {
        tier.exec("CREATE TABLE IF NOT EXISTS " + PROGRESS_TABLE + " (name TEXT PRIMARY KEY, last_key TEXT, key_type TEXT, "
                + "rows_done BIGINT NOT NULL, status TEXT NOT NULL, updated TEXT NOT NULL)");
    }

    private Row checkpoint() {
        if (!tier.hasTable(PROGRESS_TABLE)) {
            return null;
        }
        var rows = tier.query("SELECT last_key, key_type, rows_done, status, updated FROM " + PROGRESS_TABLE + " WHERE name = ?", name);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private void saveCheckpoint(Object lastKey, long done, String status) {
        ensureProgressTable();
        tier.exec("INSERT INTO " + PROGRESS_TABLE + " (name, last_key, key_type, rows_done, status, updated) VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (name) DO UPDATE SET last_key = excluded.last_key, key_type = excluded.key_type, "
                        + "rows_done = excluded.rows_done, status = excluded.status, updated = excluded.updated",
                name, lastKey == null ? null : lastKey.toString(), keyType(lastKey), done, status, Instant.now().toString());
    }

    /**
     * The work is complete: its checkpoint goes, and the helper table with it when no other backfill of this tier is
     * unfinished (one transaction). A crash before this leaves a checkpoint at the end, which the next run clears.
     */
    private void finish() {
        if (!tier.hasTable(PROGRESS_TABLE)) {
            return;
        }
        tier.begin();
        try {
            tier.exec("DELETE FROM " + PROGRESS_TABLE + " WHERE name = ?", name);
            if (((Number) tier.query("SELECT count(*) FROM " + PROGRESS_TABLE).value()).longValue() == 0) {
                tier.exec("DROP TABLE " + PROGRESS_TABLE);
            }
            TierInternals.commit(tier);
        } catch (RuntimeException e) {
            TierInternals.rollback(tier);
            throw e;
        }
    }

    /**
     * Inside a playbook step: the work is complete but the step is not committed yet, so the checkpoint stays, marked
     * done, until the run drops it ({@link #clearFinished}); a crash in between must not run the batches again.
     */
    private void markDone(Object last, long done) {
        tier.begin();
        try {
            saveCheckpoint(last, done, "done");
            TierInternals.commit(tier);
        } catch (RuntimeException e) {
            TierInternals.rollback(tier);
            throw e;
        }
    }

    /**
     * Drops the finished checkpoints of a tier, and the helper table when nothing unfinished is left in it (one
     * transaction). Called by a playbook run once every step it ran is committed. True when the table went.
     */
    public static boolean clearFinished(Tier tier) {
        if (tier.readOnly() || !tier.hasTable(PROGRESS_TABLE)) {
            return false;
        }
        tier.begin();
        try {
            tier.exec("DELETE FROM " + PROGRESS_TABLE + " WHERE status = 'done'");
            boolean empty = ((Number) tier.query("SELECT count(*) FROM " + PROGRESS_TABLE).value()).longValue() == 0;
            if (empty) {
                tier.exec("DROP TABLE " + PROGRESS_TABLE);
            }
            TierInternals.commit(tier);
            return empty;
        } catch (RuntimeException e) {
            TierInternals.rollback(tier);
            throw e;
        }
    }

    private static String keyType(Object k) {
        return k instanceof Number n && !(n instanceof Double || n instanceof Float) ? "integer" : "text";
    }

    private static Object decodeKey(Object text, String type) {
        if (text == null) {
            return null;
        }
        return "integer".equals(type) ? Long.parseLong(text.toString()) : text.toString();
    }

    private static String shortHash(String sql) {
        return Sha256.hex(sql.strip()).substring(0, 8);
    }
}
