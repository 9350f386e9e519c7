package dev.sluice.playbook.groovy;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.Precondition;
import dev.sluice.playbook.Preconditions;
import dev.sluice.playbook.Requires;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;

/**
 * The {@code requires { … }} block: what must hold before the playbook (or the step) runs. Each keyword declares one
 * precondition; the run checks them all before writing anything and lists every one that fails. A tier is given as its
 * variable ({@code tier1}) or its name ({@code 'tier1'}).
 */
public final class RequiresDelegate {
    private static final Set<String> FREE_SPACE_OPTIONS = Set.of("factor", "bytes", "path");
    private final LoadContext load;
    private final List<Precondition> declared = new ArrayList<>();

    RequiresDelegate(LoadContext load) {
        this.load = load;
    }

    /** A block as the run sees it: evaluated when the run starts, with tiers and parameters bound. */
    static Requires block(LoadContext load, Closure<?> body, boolean later, int line) {
        return new Requires(load.display() + ":" + line, later, () -> {
            RequiresDelegate d = new RequiresDelegate(load);
            Closure<?> c = (Closure<?>) body.clone();
            c.setDelegate(d);
            c.setResolveStrategy(Closure.DELEGATE_FIRST);
            try {
                c.call();
            } catch (RuntimeException e) {
                throw load.placed(e);
            }
            return List.copyOf(d.declared);
        });
    }

    /** Options of a requires call: only {@code later: true} (steps only). */
    static boolean later(LoadContext load, Map<String, ?> options, boolean step) {
        for (var e : options.entrySet()) {
            if (!e.getKey().equals("later") || !(e.getValue() instanceof Boolean)) {
                throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "requires") + ": unknown requires option "
                        + e.getKey() + ": " + e.getValue() + "; the only option is later: true (a step's block, checked right before the step).");
            }
        }
        boolean later = Boolean.TRUE.equals(options.get("later"));
        if (later && !step) {
            throw new SluiceException(ErrorCode.PLAYBOOK, load.position(null, "requires") + ": later: true is for a step's requires "
                    + "block; the playbook's own preconditions are checked before anything runs.");
        }
        return later;
    }

    /** {@code table tier1, 'conversations'}: the tier has that table (or view). */
    public void table(Object tier, String table) {
        declared.add(Preconditions.table(tier, table));
    }

    /** {@code columns tier1, 'messages', 'id', 'content'}: the table has every one of these columns. */
    public void columns(Object tier, String table, String... columns) {
        if (columns.length == 0) {
            throw new SluiceException(ErrorCode.PLAYBOOK, "columns needs at least one column name: columns tier1, 'messages', 'id'.");
        }
        declared.add(Preconditions.columns(tier, table, List.of(columns)));
    }

    /** {@code journalMode tier1, 'wal'}: {@code PRAGMA journal_mode} equals the mode. */
    public void journalMode(Object tier, String mode) {
        declared.add(Preconditions.journalMode(tier, mode));
    }

    /**
     * {@code freeSpace factor: 2, path: 'backups'}: free bytes at the path (relative: in the workspace) at least factor ×
     * the size of the workspace's SQLite tier files; or {@code bytes: 500_000_000} for an absolute figure.
     */
    public void freeSpace(Map<String, Object> options) {
        for (String k : options.keySet()) {
            if (!FREE_SPACE_OPTIONS.contains(k)) {
                throw new SluiceException(ErrorCode.PLAYBOOK, "unknown freeSpace option " + k + "; the options are factor: or bytes:, and path:.");
            }
        }
        Object factor = options.get("factor");
        Object bytes = options.get("bytes");
        if ((factor == null) == (bytes == null) || factor != null && !(factor instanceof Number) || bytes != null && !(bytes instanceof Number)) {
            throw new SluiceException(ErrorCode.PLAYBOOK, "freeSpace takes one of factor: N (times the SQLite tier files' size) or bytes: N, "
                    + "with path: 'folder'; got " + options + ".");
        }
        Object path = options.get("path");
        declared.add(Preconditions.freeSpace(factor == null ? null : ((Number) factor).doubleValue(),
                bytes == null ? null : ((Number) bytes).longValue(), path == null ? null : String.valueOf(path)));
    }

    /** {@code snapshotFree 'pre-migration'}: no snapshot of that name exists yet. */
    public void snapshotFree(String name) {
        declared.add(Preconditions.snapshotFree(name));
    }

    /** {@code service 'Neo4j', 'http://localhost:7474'}: answers (HTTP for http(s) URLs, else a TCP connect to host:port). */
    public void service(String name, String url) {
        declared.add(Preconditions.service(name, url));
    }

    /** {@code check('sources are read-only') { !tier2.writable() }}: any check that returns true (Groovy truth) when it holds. */
    public void check(String description, @DelegatesTo(value = ExpectDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> check) {
        check(Map.of(), description, check);
    }

    /** With what to do when it fails: {@code check('x', fix: 'Set readOnly in sluice.json') { … }}. */
    public void check(Map<String, Object> options, String description,
                      @DelegatesTo(value = ExpectDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> check) {
        for (String k : options.keySet()) {
            if (!k.equals("fix")) {
                throw new SluiceException(ErrorCode.PLAYBOOK, "unknown check option " + k + "; the only option is fix: 'what to do'.");
            }
        }
        Closure<?> c = (Closure<?>) check.clone();
        c.setDelegate(new ExpectDelegate());
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        Object fix = options.get("fix");
        declared.add(Preconditions.check(description, fix == null ? null : String.valueOf(fix), () -> {
            try {
                return DefaultTypeTransformation.castToBoolean(c.call());
            } catch (RuntimeException e) {
                throw load.placed(e);
            }
        }));
    }
}
