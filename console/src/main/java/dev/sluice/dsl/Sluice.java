package dev.sluice.dsl;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The migration DSL's one static entry point: {@code import static dev.sluice.dsl.Sluice.*} in the console's startup
 * script and in playbooks. Each call works on the current {@link Session}; tiers themselves carry the per-tier calls
 * ({@code tier1.count("conversations")}).
 */
public final class Sluice {
    /** The HTTP probe: {@code http.json(url)} reads a count from a service's JSON API (seed 002). */
    public static final dev.sluice.probe.Http http = new dev.sluice.probe.Http();

    private static volatile Session current;

    private Sluice() {
    }

    /** Makes {@code session} the one DSL calls work on; returns the previous one (or null). */
    public static Session use(Session session) {
        Session prev = current;
        current = session;
        return prev;
    }

    public static Session session() {
        Session s = current;
        if (s == null) {
            throw new SluiceException(ErrorCode.WORKSPACE, "No workspace is open. Open one with 'sluice console -w DIR' or Sluice.use(Session.open(dir)).");
        }
        return s;
    }

    public static String version() {
        Package p = Sluice.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (var in = Sluice.class.getResourceAsStream("/sluice-version.properties")) {
            java.util.Properties props = new java.util.Properties();
            if (in != null) {
                props.load(in);
            }
            return props.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    // ---------------------------------------------------------------- workspace and tiers

    public static Workspace workspace() {
        return session().workspace();
    }

    public static TierSet tiers() {
        return session().tiers();
    }

    public static Tier tier(String name) {
        return session().tier(name);
    }

    // ---------------------------------------------------------------- snapshots

    /** Snapshots the given tiers (every SQLite tier when none are given). */
    public static Snapshot snapshot(String name, Object... tiers) {
        return session().snapshots().take(name, names(tiers));
    }

    public static Snapshots.Restored restore(String name, Object... tiers) {
        return session().snapshots().restore(name, names(tiers));
    }

    public static List<Snapshot> snapshots() {
        return session().snapshots().list();
    }

    /** Retention: keeps the newest {@code keep} snapshots. */
    public static List<String> prune(int keep) {
        return session().snapshots().prune(keep);
    }

    /** A logical SQL dump of a SQLite tier; a relative file is placed in the workspace. */
    public static Path dump(Object tier, String file) {
        return session().snapshots().dump(nameOf(tier), Path.of(file));
    }

    // ---------------------------------------------------------------- freeze

    /** Holds the write lock of each tier (every tier when none is given) until {@link #thaw()} or the step ends. */
    public static void freeze(Tier... tiers) {
        List<Tier> list = tiers.length == 0 ? new ArrayList<>(tiers().all()) : Arrays.asList(tiers);
        List<Tier> done = new ArrayList<>();
        try {
            for (Tier t : list) {
                t.freeze();
                done.add(t);
            }
        } catch (RuntimeException e) {
            done.forEach(Tier::thaw);
            throw e;
        }
    }

    /** Releases every freeze (commits the transactions freeze opened). */
    public static void thaw() {
        for (Tier t : tiers()) {
            t.thaw();
        }
    }

    // ---------------------------------------------------------------- helpers

    static List<String> names(Object... tiers) {
        List<String> out = new ArrayList<>();
        for (Object o : tiers) {
            out.add(nameOf(o));
        }
        return out;
    }

    static String nameOf(Object tier) {
        if (tier instanceof Tier t) {
            return t.name();
        }
        if (tier instanceof CharSequence s) {
            return s.toString();
        }
        throw new SluiceException(ErrorCode.USAGE, "Expected a tier or a tier name, got " + tier + ".");
    }
}
