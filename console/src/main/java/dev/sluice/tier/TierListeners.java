package dev.sluice.tier;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who hears one tier: its own listeners, then those of the set (session) it joined. A console, a run and a replay each
 * own their set's; nothing is JVM-wide.
 */
final class TierListeners {
    private final Tier tier;
    private final List<TierInternals.Listener> own = new CopyOnWriteArrayList<>();
    /** The listeners of the set (session) this tier belongs to: a console, a run and a replay each own theirs. */
    private volatile List<TierInternals.Listener> set = List.of();

    TierListeners(Tier tier) {
        this.tier = tier;
    }

    void add(TierInternals.Listener l) {
        own.add(l);
    }

    void remove(TierInternals.Listener l) {
        own.remove(l);
    }

    /** The listeners of the set this tier joined. */
    void joined(List<TierInternals.Listener> setListeners) {
        this.set = setListeners;
    }

    /** Tells listeners about a fact a DSL call returned; returns it for chaining. */
    <T> T observe(String call, List<Object> args, T result) {
        for (TierInternals.Listener l : own) {
            l.observed(tier, call, args, result);
        }
        for (TierInternals.Listener l : set) {
            l.observed(tier, call, args, result);
        }
        return result;
    }

    /** The first listener that watches a long read, or null. */
    TierInternals.RowsRead reading(String call, String table, String where) {
        for (List<TierInternals.Listener> ls : List.of(own, set)) {
            for (TierInternals.Listener l : ls) {
                TierInternals.RowsRead r = l.reading(tier, call, table, where);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    /** A statement that may change data is about to run on the tier. */
    void beforeWrite(String sql) {
        for (TierInternals.Listener l : own) {
            l.beforeWrite(tier, sql);
        }
        for (TierInternals.Listener l : set) {
            l.beforeWrite(tier, sql);
        }
    }
}
