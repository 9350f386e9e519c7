package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierConfig;
import dev.sluice.workspace.Workspace;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The open tiers of a workspace, by name, in configuration order. Closing it closes (and rolls back) every tier. */
public final class TierSet implements Iterable<Tier>, AutoCloseable {
    private final Workspace workspace;
    private volatile Map<String, Tier> tiers;
    /** Listeners of every tier of this set (a replay's observation capture): they live and die with the set, not the JVM. */
    private final List<TierInternals.Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TierSet(Workspace workspace, Map<String, Tier> tiers) {
        this.workspace = workspace;
        this.tiers = tiers;
        tiers.values().forEach(t -> t.joined(listeners, this::all));
    }

    /** Opens every tier; an optional tier whose SQLite file is missing is left out. Nothing stays open on failure. */
    public static TierSet open(Workspace ws) {
        return open(ws, false);
    }

    /** As {@link #open(Workspace)}; with {@code keepDamaged} a tier whose file is damaged opens marked damaged (the console). */
    public static TierSet open(Workspace ws, boolean keepDamaged) {
        Map<String, Tier> open = new LinkedHashMap<>();
        try {
            for (TierConfig c : ws.tiers().values()) {
                if (c.optional() && c.sqliteFile() != null && !java.nio.file.Files.exists(c.sqliteFile())) {
                    continue;
                }
                open.put(c.name(), Tier.open(c, c.create(), keepDamaged));
            }
        } catch (RuntimeException e) {
            open.values().forEach(Tier::close);
            throw e;
        }
        return new TierSet(ws, open);
    }

    void addListener(TierInternals.Listener l) {
        listeners.add(l);
    }

    void removeListener(TierInternals.Listener l) {
        listeners.remove(l);
    }

    /** The first set listener that watches a long piece of work on the set's files, or {@link TierInternals.Work#NONE}. */
    TierInternals.Work working(String task, String unit, long total, long done) {
        for (TierInternals.Listener l : listeners) {
            TierInternals.Work w = l.working(task, unit, total, done);
            if (w != null) {
                return w;
            }
        }
        return TierInternals.Work.NONE;
    }

    public Workspace workspace() {
        return workspace;
    }

    public Tier get(String name) {
        Tier t = tiers.get(name);
        if (t == null) {
            throw new SluiceException(ErrorCode.WORKSPACE, "No tier '" + name + "' in this workspace. Tiers: "
                    + String.join(", ", tiers.keySet()) + ".");
        }
        return t;
    }

    public boolean has(String name) {
        return tiers.containsKey(name);
    }

    /**
     * Closes one tier and removes it from the set: it is gone for the rest of this session, as if its optional file were
     * missing (archive does this before it moves the file). Returns the closed tier.
     */
    public synchronized Tier retire(String name) {
        Tier t = get(name);
        Map<String, Tier> rest = new LinkedHashMap<>(tiers);
        rest.remove(name);
        tiers = rest; // a new map: anyone iterating the old one finishes undisturbed
        t.close();
        return t;
    }

    public Collection<Tier> all() {
        return tiers.values();
    }

    public List<String> names() {
        return new ArrayList<>(tiers.keySet());
    }

    @Override
    public Iterator<Tier> iterator() {
        return tiers.values().iterator();
    }

    @Override
    public void close() {
        tiers.values().forEach(Tier::close);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        tiers.values().forEach(t -> sb.append(t).append('\n'));
        return sb.toString().trim();
    }
}
