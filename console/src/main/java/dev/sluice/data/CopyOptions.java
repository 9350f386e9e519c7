package dev.sluice.data;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How {@code copy} moves a table. Every field has a default ({@link #defaults()}); the {@code with…} methods return
 * changed copies, and {@link #of(Map)} reads Groovy's named arguments ({@code copy from: a, table: 't', to: b, where: '…'}).
 *
 * @param into           target table name (null: same as the source)
 * @param where          SQL condition on the source (disables SQLite's raw-copy shortcut)
 * @param columns        columns to copy (null: all)
 * @param verify         compare count and checksum afterwards, and roll back on a mismatch
 * @param castTimestamps PostgreSQL targets: DATETIME/TIMESTAMP text becomes timestamptz (and DATE date) instead of text
 * @param batchRows      rows per JDBC batch for the INSERT fallback
 * @param walSwitchRows  a standalone SQLite copy into a WAL target of at least this many rows switches the target to the
 *                       rollback journal for the load and back to WAL after (announced; 0 disables)
 * @param announce       where non-transactional actions are announced before they run (null: nowhere; the DSL passes its
 *                       session's front end)
 * @param events         where progress goes (rows copied of the total, counted only when someone listens)
 */
public record CopyOptions(String into, String where, List<String> columns, boolean verify, boolean castTimestamps,
                          int batchRows, long walSwitchRows, Consumer<String> announce, DataEvents events) {
    public CopyOptions {
        events = events == null ? DataEvents.NONE : events;
    }

    public static CopyOptions defaults() {
        return new CopyOptions(null, null, null, true, false, 1000, 500_000, null, DataEvents.NONE);
    }

    public CopyOptions into(String table) {
        return new CopyOptions(table, where, columns, verify, castTimestamps, batchRows, walSwitchRows, announce, events);
    }

    public CopyOptions where(String condition) {
        return new CopyOptions(into, condition, columns, verify, castTimestamps, batchRows, walSwitchRows, announce, events);
    }

    public CopyOptions columns(List<String> names) {
        return new CopyOptions(into, where, names == null ? null : List.copyOf(names), verify, castTimestamps, batchRows, walSwitchRows, announce, events);
    }

    public CopyOptions verify(boolean on) {
        return new CopyOptions(into, where, columns, on, castTimestamps, batchRows, walSwitchRows, announce, events);
    }

    public CopyOptions castTimestamps(boolean on) {
        return new CopyOptions(into, where, columns, verify, on, batchRows, walSwitchRows, announce, events);
    }

    public CopyOptions batchRows(int n) {
        return new CopyOptions(into, where, columns, verify, castTimestamps, Math.max(1, n), walSwitchRows, announce, events);
    }

    public CopyOptions walSwitchRows(long n) {
        return new CopyOptions(into, where, columns, verify, castTimestamps, batchRows, n, announce, events);
    }

    public CopyOptions announce(Consumer<String> sink) {
        return new CopyOptions(into, where, columns, verify, castTimestamps, batchRows, walSwitchRows, sink, events);
    }

    public CopyOptions events(DataEvents to) {
        return new CopyOptions(into, where, columns, verify, castTimestamps, batchRows, walSwitchRows, announce, to);
    }

    void say(String message) {
        if (announce != null) {
            announce.accept(message);
        }
    }

    /** Reads named arguments: into, where, columns, verify, castTimestamps, batchRows, walSwitchRows (unknown keys refused by the caller). */
    @SuppressWarnings("unchecked")
    public static CopyOptions of(Map<String, ?> args) {
        CopyOptions o = defaults();
        if (args.get("into") != null) {
            o = o.into(args.get("into").toString());
        }
        if (args.get("where") != null) {
            o = o.where(args.get("where").toString());
        }
        if (args.get("columns") != null) {
            o = o.columns(((List<Object>) args.get("columns")).stream().map(Object::toString).toList());
        }
        if (args.get("verify") != null) {
            o = o.verify(Boolean.parseBoolean(args.get("verify").toString()));
        }
        if (args.get("castTimestamps") != null) {
            o = o.castTimestamps(Boolean.parseBoolean(args.get("castTimestamps").toString()));
        }
        if (args.get("batchRows") != null) {
            o = o.batchRows(((Number) args.get("batchRows")).intValue());
        }
        if (args.get("walSwitchRows") != null) {
            o = o.walSwitchRows(((Number) args.get("walSwitchRows")).longValue());
        }
        return o;
    }
}
