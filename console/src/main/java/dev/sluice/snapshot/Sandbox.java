package dev.sluice.snapshot;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throwaway copies of every tier of a workspace, and a workspace pointing at them: the sandbox console works there, and a
 * rehearsal will. SQLite tiers are copied as {@code snapshot} copies them (a read-locked file copy in rollback-journal
 * mode, the online backup API in WAL mode: consistent while others write); a PostgreSQL tier is copied into a scratch
 * database {@code sluice_sandbox_<id>} with {@code pg_dump | pg_restore} (a consistent snapshot that needs no one else
 * to disconnect, and copies only the tier's schema when its URL names one). Closing drops every copy, unless kept.
 */
public final class Sandbox implements AutoCloseable {
    private static final Pattern PG_URL = Pattern.compile("jdbc:postgresql://([^/?]*)/([^/?]+)(\\?.*)?");
    private static final long TOOL_TIMEOUT_MINUTES = 60;
    /** The sandbox folder's own snapshot folder and run-state folder, beside the copies. */
    private static final String SNAPSHOTS = "snapshots";
    private static final String STATE = ".sluice";
    /** The sandbox's copy of the workspace folder's other files (configuration, scripts, what a playbook writes there). */
    private static final String FOLDER = "workspace";

    /** One scratch PostgreSQL database: where to connect to drop it, and its name. */
    public record ScratchDatabase(String tier, String adminUrl, String user, String password, String name, String url) {
    }

    private final Workspace live;
    private final Workspace workspace;
    private final Path dir;
    private final boolean keep;
    private final boolean ownsDir;
    private final List<Path> files;
    private final List<ScratchDatabase> databases;
    private boolean closed;
    /** Sandbox folders of processes that no longer run, removed before this one was made (see {@link #swept()}). */
    private List<Path> swept = List.of();

    /**
     * In a temporary sandbox folder: the process that owns it ({@code pid startMillis pidSpace}), so a later one in the
     * same process table can tell it died.
     */
    static final String OWNER = ".sluice-owner";
    private static final String TEMP_PREFIX = "sluice-sandbox-";

    private Sandbox(Workspace live, Workspace workspace, Path dir, boolean keep, boolean ownsDir, List<Path> files,
                    List<ScratchDatabase> databases) {
        this.live = live;
        this.workspace = workspace;
        this.dir = dir;
        this.keep = keep;
        this.ownsDir = ownsDir;
        this.files = List.copyOf(files);
        this.databases = List.copyOf(databases);
    }

    /** Copies every tier of {@code ws} into a fresh temporary folder; closing drops them all. */
    public static Sandbox open(Workspace ws) {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            List<Path> swept = sweep(tmp);
            Path dir = Files.createTempDirectory(TEMP_PREFIX);
            try {
                ProcessHandle me = ProcessHandle.current();
                Files.writeString(dir.resolve(OWNER), me.pid() + " " + me.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L)
                        + " " + pidSpace() + "\n");
            } catch (IOException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
            Sandbox sb;
            try {
                sb = open(ws, dir, false, true);
            } catch (RuntimeException e) {
                try {
                    drop(List.of(dir.resolve(OWNER)), List.of(), dir); // a check refused it: no empty folder left behind
                } catch (RuntimeException again) {
                    e.addSuppressed(again); // the refusal is what the operator needs to read
                }
                throw e;
            }
            sb.swept = swept;
            return sb;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot create a folder for the sandbox copies: " + e.getMessage()
                    + ". Free space in " + System.getProperty("java.io.tmpdir") + ", or give --keep DIR.", e);
        }
    }

    /**
     * Copies every tier of {@code ws} into {@code dir} (SQLite files as {@code TIER.db}; PostgreSQL tiers as scratch
     * databases). With {@code keep} closing leaves the copies where they are; without, it drops them.
     */
    public static Sandbox open(Workspace ws, Path dir, boolean keep) {
        return open(ws, dir, keep, false);
    }

    private static Sandbox open(Workspace ws, Path dir, boolean keep, boolean ownsDir) {
        Path abs = dir.toAbsolutePath().normalize();
        // Everything checkable is checked before the first copy.
        for (TierConfig t : ws.tiers().values()) {
            if (t.engine() == Engine.SQLITE) {
                if (t.sqliteFile() == null || !Files.isRegularFile(t.sqliteFile())) {
                    throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Tier '" + t.name() + "' has no file at " + t.location()
                            + ", so there is nothing to copy into the sandbox. Create it first (or remove the tier from " + ws.configFile() + ").");
                }
                Path copy = abs.resolve(t.name() + ".db");
                if (Files.exists(copy)) {
                    throw new SluiceException(ErrorCode.USAGE, "The sandbox folder " + abs + " already holds " + copy.getFileName()
                            + ". Give an empty folder, or delete that file.");
                }
                if (copy.equals(t.sqliteFile())) {
                    throw new SluiceException(ErrorCode.USAGE, "The sandbox folder " + abs + " is where tier '" + t.name()
                            + "' lives. Give another folder.");
                }
            } else if (t.engine() == Engine.POSTGRESQL) {
                if (!PG_URL.matcher(t.url()).matches()) {
                    throw new SluiceException(ErrorCode.UNSUPPORTED, "Tier '" + t.name() + "' (" + t.displayUrl()
                            + "): the sandbox needs a URL of the form jdbc:postgresql://HOST[:PORT]/DATABASE[?...] to make a scratch copy. Write it that way in "
                            + ws.configFile() + ".");
                }
            } else {
                throw new SluiceException(ErrorCode.UNSUPPORTED, "Tier '" + t.name() + "' (" + t.displayUrl()
                        + ") is neither SQLite nor PostgreSQL: the sandbox cannot copy it.");
            }
        }
        for (String own : List.of(SNAPSHOTS, STATE, FOLDER)) {
            if (Files.exists(abs.resolve(own))) {
                throw new SluiceException(ErrorCode.USAGE, "The sandbox folder " + abs + " already holds " + own
                        + ". Give an empty folder, or delete it.");
            }
        }
        if (ws.tiers().values().stream().anyMatch(t -> t.engine() == Engine.POSTGRESQL)) {
            PgTools.require();
        }
        List<Path> files = new ArrayList<>();
        List<ScratchDatabase> dbs = new ArrayList<>();
        Map<String, Path> tierFiles = new LinkedHashMap<>();
        Map<String, String> tierUrls = new LinkedHashMap<>();
        try {
            Files.createDirectories(abs);
            linkSnapshots(ws.snapshotsDir(), abs.resolve(SNAPSHOTS));
            copyFolder(ws, abs);
            for (TierConfig t : ws.tiers().values()) {
                if (t.engine() == Engine.SQLITE) {
                    Path copy = abs.resolve(t.name() + ".db");
                    files.add(copy);
                    Snapshots.copyConsistently(t, copy); // as a snapshot is taken: consistent while others write; WAL mode kept
                    tierFiles.put(t.name(), copy);
                } else {
                    ScratchDatabase db = createScratch(t);
                    dbs.add(db);
                    PgTools.copy(t, db);
                    tierUrls.put(t.name(), db.url());
                }
            }
        } catch (IOException | RuntimeException e) {
            drop(withState(abs, files), dbs, ownsDir ? abs : null);
            if (e instanceof SluiceException se) {
                throw se;
            }
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot make the sandbox in " + abs + ": " + e.getMessage()
                    + ". The live tiers were not changed.", e);
        }
        Workspace sandboxed = ws.withTierFiles(tierFiles).withTierUrls(tierUrls).relocated(abs.resolve(FOLDER), abs.resolve(SNAPSHOTS), abs.resolve(STATE));
        return new Sandbox(ws, sandboxed, abs, keep, ownsDir, files, dbs);
    }

    /**
     * Links every live snapshot into the sandbox's snapshot folder: a playbook rehearsed there sees the snapshots the live
     * run will see (a rollback restores from one; a backup step checks its name is free), while the snapshots it takes
     * stay in the sandbox. Deleting a linked snapshot there deletes only the link.
     */
    private static void linkSnapshots(Path live, Path into) throws IOException {
        Files.createDirectories(into);
        if (!Files.isDirectory(live)) {
            return;
        }
        try (var entries = Files.list(live)) {
            for (Path d : entries.filter(Files::isDirectory).toList()) {
                Files.createSymbolicLink(into.resolve(d.getFileName()), d.toAbsolutePath());
            }
        }
    }

    /**
     * The workspace whose tiers are the copies, in the sandbox folder: a copy of the live workspace folder's other files,
     * snapshots and run state of its own (the live snapshots linked in); the journal is the live one's.
     */
    public Workspace workspace() {
        return workspace;
    }

    /** The workspace whose tiers were copied. */
    public Workspace live() {
        return live;
    }

    /**
     * The temporary sandbox folders (and their copies) that processes killed before they could drop them had left in the
     * temporary folder, removed before this sandbox was made: the caller names them. Empty for a kept sandbox.
     */
    public List<Path> swept() {
        return swept;
    }

    /**
     * Removes the sandbox folders under {@code tmp} whose owner ({@link #OWNER}) no longer runs: a {@code kill -9}, a
     * power cut. A folder whose owner runs, or whose owner cannot be told (no such file yet, another machine's process
     * table), is left alone. PostgreSQL scratch databases are not in the folder and stay (the README says how to find
     * them).
     */
    static List<Path> sweep(Path tmp) {
        List<Path> removed = new ArrayList<>();
        try (java.util.stream.Stream<Path> dirs = Files.list(tmp)) {
            for (Path d : dirs.filter(x -> x.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                Path owner = d.resolve(OWNER);
                if (!Files.isRegularFile(owner, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(d)) {
                    continue;
                }
                String[] f;
                try {
                    f = Files.readString(owner).strip().split(" ");
                } catch (IOException e) {
                    continue;
                }
                // A pid means something only in the process table it came from: a container sharing this folder, or a
                // machine sharing it over the network, has its own, where our lookup would find its owner dead.
                if (f.length != 3 || !f[0].matches("\\d+") || !f[1].matches("\\d+") || !f[2].equals(pidSpace())
                        || f[2].equals("unknown") || alive(Long.parseLong(f[0]), Long.parseLong(f[1]))) {
                    continue;
                }
                try {
                    deleteTree(d);
                    removed.add(d);
                } catch (IOException e) {
                    // another process sweeping at the same moment, or a file we may not delete: the next start tries again
                }
            }
        } catch (IOException e) {
            // no listing of the temporary folder: nothing to sweep
        }
        return removed;
    }

    /**
     * This process table's identity: the machine's boot and the pid namespace (Linux), e.g.
     * {@code 5f1c…:pid:[4026531836]}; "unknown" elsewhere, where nothing is swept.
     */
    private static String pidSpace() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            return boot + ":" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Whether process {@code pid}, started at {@code startMillis} (0: unknown), still runs; a reused pid is not it. */
    private static boolean alive(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> startMillis == 0 || p.info().startInstant().map(i -> i.toEpochMilli() == startMillis).orElse(true))
                .orElse(false);
    }

    /** The folder holding the SQLite copies. */
    public Path dir() {
        return dir;
    }

    public boolean kept() {
        return keep;
    }

    /** The SQLite copies, one per SQLite tier. */
    public List<Path> files() {
        return files;
    }

    /** The scratch PostgreSQL databases, one per PostgreSQL tier. */
    public List<ScratchDatabase> databases() {
        return databases;
    }

    /** Drops every copy (files deleted, scratch databases dropped) unless the sandbox is kept. Call after closing the tiers. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!keep) {
            drop(withState(dir, files), databases, ownsDir ? dir : null);
        }
    }

    private static void drop(List<Path> files, List<ScratchDatabase> dbs, Path ownDir) {
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try {
                    deleteTree(f);
                } catch (IOException e) {
                    failed.add(f + " (" + e.getMessage() + ")");
                }
                continue;
            }
            for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
                try {
                    Files.deleteIfExists(f.resolveSibling(f.getFileName() + suffix));
                } catch (IOException e) {
                    failed.add(f + suffix + " (" + e.getMessage() + ")");
                }
            }
        }
        for (ScratchDatabase db : dbs) {
            try (Connection c = DriverManager.getConnection(db.adminUrl(), props(db.user(), db.password())); Statement st = c.createStatement()) {
                // WITH (FORCE): a connection left behind (a crashed console's) must not keep the copy alive.
                st.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
            } catch (SQLException e) {
                failed.add("database " + db.name() + " (" + e.getMessage() + ")");
            }
        }
        if (ownDir != null) {
            try {
                Files.deleteIfExists(ownDir);
            } catch (IOException e) {
                failed.add(ownDir + " (" + e.getMessage() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new SluiceException(ErrorCode.IO, "Could not drop every sandbox copy: " + String.join(", ", failed)
                    + ". Remove them by hand; the live tiers were never touched.");
        }
    }

    /**
     * Copies the workspace folder into the sandbox's, leaving out the tiers (copied apart), the snapshots (linked), the
     * journal (a sandbox journals into the live one) and the run state: a playbook that reads a file beside the
     * workspace finds it, and one that writes there (a plan, an archive) writes into the sandbox. Links are followed and
     * what they point at is copied, so no write through a link in the sandbox reaches a live file (a link cycle is
     * copied once); the sandbox folder itself is left out when it lies inside the workspace.
     */
    private static void copyFolder(Workspace ws, Path sandbox) throws IOException {
        Path from = ws.dir();
        Path to = sandbox.resolve(FOLDER);
        java.util.Set<Path> skip = new java.util.HashSet<>(List.of(ws.snapshotsDir(), ws.journalDir(), ws.stateDir(), sandbox));
        for (TierConfig t : ws.tiers().values()) {
            if (t.sqliteFile() != null) {
                Path f = t.sqliteFile().toAbsolutePath().normalize();
                for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
                    skip.add(f.resolveSibling(f.getFileName() + suffix));
                }
            }
        }
        Files.createDirectories(to);
        Files.walkFileTree(from, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof java.nio.file.FileSystemLoopException) {
                    return java.nio.file.FileVisitResult.CONTINUE; // a link back up the tree: its contents are copied already
                }
                throw e;
            }

            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                if (skip.contains(d.toAbsolutePath().normalize())) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                if (!skip.contains(f.toAbsolutePath().normalize()) && !f.getFileName().toString().endsWith(".sluice-lock")) {
                    Files.copy(f, to.resolve(from.relativize(f).toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    /** The copies and the sandbox's own folders: everything dropping removes. */
    private static List<Path> withState(Path dir, List<Path> files) {
        List<Path> all = new ArrayList<>(files);
        all.add(dir.resolve(SNAPSHOTS));
        all.add(dir.resolve(STATE));
        all.add(dir.resolve(FOLDER));
        all.add(dir.resolve(OWNER));
        return all;
    }

    /** Deletes a folder's tree without following links: a linked live snapshot loses its link, never its files. */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    private static ScratchDatabase createScratch(TierConfig t) {
        Matcher m = PG_URL.matcher(t.url());
        if (!m.matches()) {
            throw new IllegalStateException("checked up front: " + t.displayUrl());
        }
        String name = "sluice_sandbox_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String query = m.group(3) == null ? "" : m.group(3);
        String url = "jdbc:postgresql://" + m.group(1) + "/" + name + query;
        String password = t.password() == null ? null : t.password().reveal();
        ScratchDatabase db = new ScratchDatabase(t.name(), t.url(), t.user(), password, name, url);
        try (Connection c = DriverManager.getConnection(t.url(), props(t.user(), password)); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.TIER_UNAVAILABLE, "Cannot create the scratch database " + name + " for tier '" + t.name()
                    + "' (" + t.displayUrl() + "): " + e.getMessage() + ". Its user needs CREATEDB; the live tier was not changed.", e);
        }
        return db;
    }

    static Properties props(String user, String password) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** pg_dump and pg_restore, run as child processes with the tier's connection settings. */
    static final class PgTools {
        private PgTools() {
        }

        static void require() {
            for (String tool : List.of("pg_dump", "pg_restore")) {
                if (!onPath(tool)) {
                    throw new SluiceException(ErrorCode.UNSUPPORTED, "The sandbox copies PostgreSQL tiers with pg_dump and pg_restore, and "
                            + tool + " is not on PATH. Install the PostgreSQL client tools (e.g. 'apt-get install postgresql-client').");
                }
            }
        }

        private static boolean onPath(String tool) {
            String path = System.getenv("PATH");
            if (path == null) {
                return false;
            }
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                    return true;
                }
            }
            return false;
        }

        /** {@code pg_dump -Fc [-n SCHEMA…] | pg_restore -d SCRATCH}: one consistent snapshot of the tier, streamed. */
        static void copy(TierConfig t, ScratchDatabase db) throws IOException {
            Matcher m = PG_URL.matcher(t.url());
            if (!m.matches()) {
                throw new IllegalStateException("checked up front: " + t.displayUrl());
            }
            String hostPort = m.group(1);
            String host = hostPort;
            String port = null;
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0 && !hostPort.endsWith("]")) {
                host = hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            }
            List<String> common = new ArrayList<>(List.of("--no-owner", "--no-privileges", "-h", host.isEmpty() ? "localhost" : host));
            if (port != null) {
                common.addAll(List.of("-p", port));
            }
            if (t.user() != null) {
                common.addAll(List.of("-U", t.user()));
            }
            common.add("--no-password");
            List<String> dump = new ArrayList<>(List.of("pg_dump", "-Fc"));
            dump.addAll(common);
            for (String schema : schemas(m.group(3))) {
                dump.addAll(List.of("-n", schema));
            }
            dump.add(m.group(2));
            List<String> restore = new ArrayList<>(List.of("pg_restore", "--exit-on-error"));
            restore.addAll(common);
            restore.addAll(List.of("-d", db.name()));
            ProcessBuilder dumpPb = new ProcessBuilder(dump);
            ProcessBuilder restorePb = new ProcessBuilder(restore);
            if (db.password() != null) {
                dumpPb.environment().put("PGPASSWORD", db.password());
                restorePb.environment().put("PGPASSWORD", db.password());
            }
            Process d = dumpPb.start();
            Process r = restorePb.start();
            CompletableFuture<String> dumpErr = drain(d.getErrorStream());
            CompletableFuture<String> restoreErr = drain(r.getErrorStream());
            CompletableFuture<String> restoreOut = drain(r.getInputStream());
            try (InputStream in = d.getInputStream(); OutputStream out = r.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // pg_restore stopped reading: its own error says why, below
            }
            try {
                boolean dOk = d.waitFor(TOOL_TIMEOUT_MINUTES, TimeUnit.MINUTES) && d.exitValue() == 0;
                boolean rOk = r.waitFor(TOOL_TIMEOUT_MINUTES, TimeUnit.MINUTES) && r.exitValue() == 0;
                restoreOut.join();
                if (!dOk || !rOk) {
                    d.destroyForcibly();
                    r.destroyForcibly();
                    String why = (!dOk ? "pg_dump: " + firstLine(dumpErr.join()) : "pg_restore: " + firstLine(restoreErr.join()));
                    throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot copy tier '" + t.name() + "' (" + t.displayUrl()
                            + ") into scratch database " + db.name() + " (" + why + "). The live tier was not changed.");
                }
            } catch (InterruptedException e) {
                d.destroyForcibly();
                r.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new SluiceException(ErrorCode.CANCELLED, "Sandbox copy of tier '" + t.name() + "' cancelled; the live tier was not changed.", e);
            }
        }

        /** The schemas a {@code currentSchema=a,b} parameter names (none: the whole database). */
        static List<String> schemas(String query) {
            List<String> out = new ArrayList<>();
            if (query == null) {
                return out;
            }
            for (String kv : query.substring(1).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0 && kv.substring(0, eq).equalsIgnoreCase("currentSchema")) {
                    for (String s : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8).split(",")) {
                        if (!s.isBlank()) {
                            out.add(s.strip());
                        }
                    }
                }
            }
            return out;
        }

        private static CompletableFuture<String> drain(InputStream in) {
            return CompletableFuture.supplyAsync(() -> {
                try (in) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
        }

        private static String firstLine(String s) {
            return s.lines().filter(l -> !l.isBlank()).findFirst().orElse("exited with an error").strip();
        }
    }
}
