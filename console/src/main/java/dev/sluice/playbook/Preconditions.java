package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.tier.Column;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The kinds of precondition a {@code requires { … }} block declares. Each only reads: catalogue queries, a PRAGMA, the
 * file system, a connect. A tier is given as the tier itself, its name, or null (an optional tier the workspace lacks).
 */
public final class Preconditions {
    /** How long a service may take to answer before it counts as unreachable. */
    static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(2);

    private Preconditions() {
    }

    /** The tier has the table (or view). */
    public static Precondition table(Object tier, String table) {
        return new Precondition() {
            @Override
            public String what() {
                return "table " + tierName(tier) + "." + table;
            }

            @Override
            public Outcome check(Session session) {
                Tier t = resolve(session, tier);
                if (t == null) {
                    return missingTier(session, tier);
                }
                if (t.hasTable(table)) {
                    return Outcome.holds("present", "present");
                }
                List<String> have = TierInternals.dataTables(t);
                return Outcome.fails("no table '" + table + "' (" + t.name() + " has " + (have.isEmpty() ? "none" : have.size() > 5
                        ? String.join(", ", have.subList(0, 5)) + ", … " + (have.size() - 5) + " more" : String.join(", ", have)) + ")",
                        "the table", "Check the tier points at the right database; if an earlier step creates it, write requires "
                                + "later: true in the step that needs it.");
            }
        };
    }

    /** The table has every one of the columns. */
    public static Precondition columns(Object tier, String table, List<String> columns) {
        return new Precondition() {
            @Override
            public String what() {
                return "columns " + tierName(tier) + "." + table + "(" + String.join(", ", columns) + ")";
            }

            @Override
            public Outcome check(Session session) {
                Tier t = resolve(session, tier);
                if (t == null) {
                    return missingTier(session, tier);
                }
                if (!t.hasTable(table)) {
                    return Outcome.fails("no table '" + table + "'", "the table with these columns",
                            "Check the tier points at the right database, or create the table first.");
                }
                List<String> have = t.columns(table).stream().map(Column::name).toList();
                List<String> missing = new ArrayList<>();
                for (String c : columns) {
                    if (have.stream().noneMatch(h -> h.equalsIgnoreCase(c))) {
                        missing.add(c);
                    }
                }
                if (missing.isEmpty()) {
                    return Outcome.holds("all " + columns.size() + " present", "all present");
                }
                return Outcome.fails("no " + String.join(", ", missing) + " (it has " + String.join(", ", have) + ")",
                        "all of " + String.join(", ", columns), "Check the schema version of this database, or add the columns first.");
            }
        };
    }

    /** {@code PRAGMA journal_mode} equals {@code mode} (case-insensitive); SQLite tiers only. */
    public static Precondition journalMode(Object tier, String mode) {
        return new Precondition() {
            @Override
            public String what() {
                return "journalMode " + tierName(tier);
            }

            @Override
            public Outcome check(Session session) {
                Tier t = resolve(session, tier);
                if (t == null) {
                    return missingTier(session, tier);
                }
                String want = mode.toLowerCase(Locale.ROOT);
                if (t.engine() != Engine.SQLITE) {
                    return Outcome.fails("a " + t.engine().label() + " tier (journal modes are SQLite's)", want,
                            "Drop this precondition for tier '" + t.name() + "', or point it at a SQLite tier.");
                }
                String found = String.valueOf(t.query("PRAGMA journal_mode").value()).toLowerCase(Locale.ROOT);
                if (found.equals(want)) {
                    return Outcome.holds(found, want);
                }
                return Outcome.fails(found, want, "Set it first (journalMode " + t.name() + ", '" + want + "' in a step of its own, or "
                        + "\"pragmas\": {\"journal_mode\": \"" + want.toUpperCase(Locale.ROOT) + "\"} in sluice.json).");
            }
        };
    }

    /**
     * Free bytes at {@code path} (relative: in the workspace; a folder not created yet is measured where it would be) at
     * least {@code bytes}, or, when {@code factor} is given, at least factor × the size of the workspace's SQLite tier files.
     */
    public static Precondition freeSpace(Double factor, Long bytes, String path) {
        String where = path == null ? "." : path;
        return new Precondition() {
            @Override
            public String what() {
                return "freeSpace at " + where;
            }

            @Override
            public Outcome check(Session session) {
                Path dir = session.workspace().dir().resolve(where).toAbsolutePath().normalize();
                Path existing = dir;
                while (existing != null && !Files.exists(existing)) {
                    existing = existing.getParent();
                }
                if (existing == null) {
                    return Outcome.fails("no such folder or parent", "a folder", "Check the path (relative paths are in the workspace).");
                }
                long free;
                try {
                    free = Files.getFileStore(existing).getUsableSpace();
                } catch (IOException e) {
                    return Outcome.fails("unreadable (" + e.getMessage() + ")", "free space", "Check the path and its permissions.");
                }
                long want;
                String wanted;
                if (factor != null) {
                    long total = sqliteBytes(session);
                    want = (long) Math.ceil(factor * total);
                    wanted = "at least " + trim(factor) + " × " + Format.bytes(total) + " of SQLite tier files = " + Format.bytes(want);
                } else {
                    want = bytes;
                    wanted = "at least " + Format.bytes(want);
                }
                String found = Format.bytes(free) + " free";
                if (free >= want) {
                    return Outcome.holds(found, wanted);
                }
                return Outcome.fails(found, wanted, "Free " + Format.bytes(want - free) + " on the file system of " + existing
                        + ", or point the path elsewhere (\"snapshots\" in sluice.json for backups).");
            }
        };
    }

    /** No snapshot (finished or partial) of that name exists in the workspace's snapshot folder. */
    public static Precondition snapshotFree(String name) {
        return new Precondition() {
            @Override
            public String what() {
                return "snapshotFree '" + name + "'";
            }

            @Override
            public Outcome check(Session session) {
                Path dir = session.snapshots().dir().resolve(name);
                if (!Files.exists(dir)) {
                    return Outcome.holds("no snapshot '" + name + "'", "none");
                }
                return Outcome.fails("snapshot '" + name + "' in " + session.snapshots().dir(), "no snapshot of that name",
                        "Choose another name (a parameter of the playbook?), or remove the old one (sluice prune, or delete its folder) "
                                + "once it is not needed for a rollback.");
            }
        };
    }

    /** The service answers: an HTTP(S) URL any HTTP response; anything else (bolt://, tcp://, host:port) a TCP connect. */
    public static Precondition service(String name, String url) {
        return new Precondition() {
            @Override
            public String what() {
                return "service " + name + " at " + url;
            }

            @Override
            public Outcome check(Session session) {
                String problem = reach(url);
                if (problem == null) {
                    return Outcome.holds("reachable", "reachable");
                }
                return Outcome.fails(problem, "reachable within " + SERVICE_TIMEOUT.toSeconds() + " s",
                        "Start " + name + ", or fix its address (a parameter of the playbook?).");
            }
        };
    }

    /** Any boolean check, named by its description: holds when it returns true. */
    public static Precondition check(String description, String fix, BooleanSupplier check) {
        return new Precondition() {
            @Override
            public String what() {
                return "check '" + description + "'";
            }

            @Override
            public Outcome check(Session session) {
                if (check.getAsBoolean()) {
                    return Outcome.holds("true", "true");
                }
                return Outcome.fails("false", "true", fix == null ? "Make it hold, then run again." : fix);
            }
        };
    }

    /** A tier the playbook declares but the workspace lacks (required ones are reported by the run as well). */
    public static Precondition tierPresent(String name) {
        return new Precondition() {
            @Override
            public String what() {
                return "tier '" + name + "'";
            }

            @Override
            public Outcome check(Session session) {
                if (session.tiers().has(name)) {
                    return Outcome.holds("configured", "configured");
                }
                return missingTier(session, name);
            }
        };
    }

    // ---------------------------------------------------------------- helpers

    static String tierName(Object tier) {
        return tier instanceof Tier t ? t.name() : tier == null ? "(missing optional tier)" : String.valueOf(tier);
    }

    private static Tier resolve(Session session, Object tier) {
        String name = tier instanceof Tier t ? t.name() : tier == null ? null : String.valueOf(tier);
        return name != null && session.tiers().has(name) ? session.tier(name) : null;
    }

    private static Precondition.Outcome missingTier(Session session, Object tier) {
        String name = tierName(tier);
        return Precondition.Outcome.fails("no tier " + (tier == null ? "(an optional tier the workspace does not have)" : "'" + name + "'")
                        + " in the workspace (it has " + String.join(", ", session.tiers().names()) + ")", "the tier",
                "Add it to sluice.json, or run the playbook on the right workspace (-w DIR).");
    }

    /** Bytes of every SQLite tier file of the session, with its -wal file when there is one. */
    static long sqliteBytes(Session session) {
        long total = 0;
        for (Tier t : session.tiers()) {
            Path f = t.file();
            if (t.engine() != Engine.SQLITE || f == null) {
                continue;
            }
            for (Path p : List.of(f, Path.of(f + "-wal"))) {
                try {
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                } catch (IOException e) {
                    // unreadable size: counted as 0, the file itself is checked when the tier opens
                }
            }
        }
        return total;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** Null when reachable, else what happened, in a few words. */
    static String reach(String url) {
        try {
            URI uri = URI.create(url.contains("://") ? url : "tcp://" + url);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("http") || scheme.equals("https")) {
                HttpClient c = HttpClient.newBuilder().connectTimeout(SERVICE_TIMEOUT).build();
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(SERVICE_TIMEOUT).GET().build();
                HttpResponse<Void> r = c.send(req, HttpResponse.BodyHandlers.discarding());
                return r.statusCode() >= 500 ? "HTTP " + r.statusCode() : null;
            }
            if (uri.getHost() == null || uri.getPort() < 0) {
                return "no host:port in '" + url + "'";
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) SERVICE_TIMEOUT.toMillis());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (IllegalArgumentException e) {
            return "not a URL: " + e.getMessage();
        } catch (java.net.http.HttpTimeoutException | java.net.SocketTimeoutException e) {
            return "no answer within " + SERVICE_TIMEOUT.toSeconds() + " s";
        } catch (IOException e) {
            String m = e.getMessage();
            return e instanceof java.net.ConnectException || m == null ? "connection refused" : m;
        }
    }
}
