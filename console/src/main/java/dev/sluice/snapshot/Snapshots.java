package dev.sluice.snapshot;

import dev.sluice.encoding.Json;
import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.IntegrityReport;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import dev.sluice.workspace.Workspace;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/** Takes, lists, verifies, restores and prunes snapshots of a workspace's SQLite and PostgreSQL tiers. */
public final class Snapshots {
    public static final String MANIFEST = "manifest.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Workspace ws;
    private final TierSet tiers;
    private final String sluiceVersion;

    public Snapshots(TierSet tiers, String sluiceVersion) {
        this.ws = tiers.workspace();
        this.tiers = tiers;
        this.sluiceVersion = sluiceVersion;
    }

    public Path dir() {
        return ws.snapshotsDir();
    }

    /** Snapshots the named tiers (all SQLite and PostgreSQL tiers when none are named). */
    public Snapshot take(String name, List<String> tierNames) {
        return take(name, tierNames, null);
    }

    public Snapshot take(String name, List<String> tierNames, String reason) {
        checkName(name);
        return write(name, choose(tierNames), reason, false, phases("snapshot " + name));
    }

    /** Progress under {@code label} on this set's hook (the session's front end hears it when it watches). */
    private Phases phases(String label) {
        return new Phases(tiers, label);
    }

    /**
     * Writes a snapshot folder atomically (a partial folder renamed at the end). With {@code keepDamaged} (the state
     * before a restore) a tier whose file is damaged is kept as a raw byte copy instead of refusing: see {@link #rawCopy}.
     */
    private Snapshot write(String name, List<Tier> chosen, String reason, boolean keepDamaged, Phases phases) {
        Path root = ensureRoot();
        Path target = root.resolve(name);
        if (Files.exists(target)) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' already exists in " + root
                    + ". Choose another name, or remove the old one with prune.");
        }
        Path partial = root.resolve("." + name + ".partial");
        List<Snapshot.SnapshotFile> files = new ArrayList<>();
        List<Snapshot.DamagedCopy> damaged = new ArrayList<>();
        try {
            deleteTree(partial);
            Files.createDirectories(partial);
            setPerms(partial, "rwx------");
            for (Tier t : chosen) {
                if (t.inTransaction()) {
                    throw new SluiceException(ErrorCode.SNAPSHOT, "Tier '" + t.name() + "' has an open transaction; a snapshot copies "
                            + "committed data only. Commit or roll back first, then snapshot.");
                }
                if (keepDamaged && TierInternals.damage(t) != null) {
                    damaged.add(rawCopy(t, partial, TierInternals.damage(t), phases));
                    continue;
                }
                if (t.engine() == Engine.POSTGRESQL) {
                    files.add(pgDump(t, partial, phases));
                    continue;
                }
                Path out = partial.resolve(t.name() + ".db");
                try {
                    long start = System.nanoTime();
                    backup(t.config(), out, phases);
                    long copied = System.nanoTime();
                    setPerms(out, "rw-------");
                    files.add(describe(t, out, (copied - start) / 1_000_000, copied, phases));
                } catch (SluiceException e) {
                    // INTEGRITY from backup or describe: the pages themselves are damaged, so no SQLite copy can be made.
                    if (!keepDamaged || e.code() != ErrorCode.INTEGRITY) {
                        throw e;
                    }
                    Files.deleteIfExists(out);
                    damaged.add(rawCopy(t, partial, e.getMessage(), phases));
                }
            }
            Snapshot s = new Snapshot(name, Instant.now().toString(), sluiceVersion, reason, files, damaged, target);
            Files.writeString(partial.resolve(MANIFEST), Json.pretty().writeValueAsString(s) + "\n");
            setPerms(partial.resolve(MANIFEST), "rw-------");
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return s;
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new SluiceException(ErrorCode.IO, "Cannot write snapshot '" + name + "' in " + root + ": " + e.getMessage()
                    + ". Check free space and permissions; nothing was changed in the tiers.", e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
    }

    private List<Tier> choose(List<String> tierNames) {
        List<Tier> chosen = new ArrayList<>();
        if (tierNames == null || tierNames.isEmpty()) {
            for (Tier t : tiers) {
                if (snapshottable(t)) {
                    chosen.add(t);
                }
            }
            if (chosen.isEmpty()) {
                throw new SluiceException(ErrorCode.UNSUPPORTED, "No SQLite or PostgreSQL tier to snapshot in " + ws.dir()
                        + ": snapshots of " + tiers.all().iterator().next().engine().label() + " tiers are not supported for this engine yet.");
            }
        } else {
            for (String n : tierNames) {
                Tier t = tiers.get(n);
                if (!snapshottable(t)) {
                    throw new SluiceException(ErrorCode.UNSUPPORTED, "Tier '" + n + "' is " + t.engine().label()
                            + ": snapshots are not supported for this engine yet. Snapshot the SQLite and PostgreSQL tiers only.");
                }
                chosen.add(t);
            }
        }
        try {
            requirePgTools(chosen, "pg_dump");
        } catch (SluiceException e) {
            List<String> pg = chosen.stream().filter(t -> t.engine() == Engine.POSTGRESQL).map(Tier::name).toList();
            List<String> others = chosen.stream().filter(t -> t.engine() != Engine.POSTGRESQL).map(Tier::name).toList();
            throw new SluiceException(e.code(), "pg_dump is not on PATH; it is needed to snapshot PostgreSQL tier" + (pg.size() == 1 ? " '" : "s '")
                    + String.join("', '", pg) + "'. " + PgTools.INSTALL + (others.isEmpty() ? "" : " Or snapshot only the other tiers by "
                    + "naming them: sluice snapshot NAME --tier " + String.join(" --tier ", others) + " (in a playbook: snapshot 'NAME', "
                    + String.join(", ", others.stream().map(n -> "'" + n + "'").toList()) + ").") + " Nothing was written.", e);
        }
        return chosen;
    }

    /** A tier a snapshot of the whole workspace leaves out, and why. */
    public record Skipped(String tier, String reason) {
        @Override
        public String toString() {
            return tier + " (" + reason + ")";
        }
    }

    /**
     * The workspace's tiers that {@link #take(String, List)} leaves out when no tiers are named, each with the reason, so
     * that a front end can say so (nothing is left out when tiers are named: an unsupported one is refused instead).
     */
    public List<Skipped> skipped(List<String> tierNames) {
        if (tierNames != null && !tierNames.isEmpty()) {
            return List.of();
        }
        List<Skipped> out = new ArrayList<>();
        for (dev.sluice.workspace.TierConfig c : ws.tiers().values()) {
            if (!tiers.has(c.name())) {
                out.add(new Skipped(c.name(), "optional, and its file " + c.location() + " does not exist"));
            } else if (!snapshottable(tiers.get(c.name()))) {
                out.add(new Skipped(c.name(), c.engine().label() + ": Sluice snapshots only SQLite and PostgreSQL tiers; back it up "
                        + "with its own tools"));
            }
        }
        return out;
    }

    private static boolean snapshottable(Tier t) {
        return t.engine() == Engine.SQLITE || t.engine() == Engine.POSTGRESQL;
    }

    /** Checked before anything is written: a missing client tool refuses the whole snapshot or restore. */
    private static void requirePgTools(List<Tier> chosen, String... tools) {
        if (chosen.stream().anyMatch(t -> t.engine() == Engine.POSTGRESQL)) {
            for (String tool : tools) {
                PgTools.require(tool);
            }
        }
    }

    /**
     * Dumps a PostgreSQL tier's schema with pg_dump (custom format) in a transaction snapshot exported by a connection of
     * its own, which then counts and checksums every table in that same snapshot: the manifest describes exactly the rows
     * in the dump, however many others write meanwhile.
     */
    private Snapshot.SnapshotFile pgDump(Tier t, Path partial, Phases phases) throws IOException {
        PgTools tools = PgTools.of(t.config());
        Path out = partial.resolve(t.name() + ".pgdump");
        try (Tier reader = Tier.open(t.config())) {
            Connection c = TierInternals.connection(reader);
            String schema;
            try {
                schema = c.getSchema();
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            } catch (SQLException e) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot start a snapshot transaction on tier '" + t.name() + "': "
                        + TierInternals.firstLine(e.getMessage()) + ". Nothing was changed.", e);
            }
            try {
                long start = System.nanoTime();
                String snapshotId;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    snapshotId = rs.getString(1);
                }
                try (TierInternals.Work w = phases.start("pg_dump " + t.name())) {
                    tools.dump(schema, snapshotId, out);
                }
                long copied = System.nanoTime();
                setPerms(out, "rw-------");
                Map<String, Long> counts = new LinkedHashMap<>();
                Map<String, String> checksums = new LinkedHashMap<>();
                List<String> tables = reader.tables();
                try (TierInternals.Work w = phases.start("checksums of " + t.name(), "tables", tables.size(), 0)) {
                    for (String table : tables) {
                        Checksum sum = reader.checksum(table);
                        counts.put(table, sum.rows());
                        checksums.put(table, sum.rows() + ":" + sum.sha256());
                        w.at(counts.size());
                    }
                }
                return new Snapshot.SnapshotFile(t.name(), out.getFileName().toString(), t.config().displayUrl(), Files.size(out),
                        sha256(out), counts, "pg_dump ok", t.engineVersion(), (copied - start) / 1_000_000,
                        (System.nanoTime() - copied) / 1_000_000, schema, checksums);
            } catch (SQLException e) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot snapshot tier '" + t.name() + "': "
                        + TierInternals.firstLine(e.getMessage()) + ". Nothing was changed.", e);
            } finally {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the reader is closed next; its transaction ends with it
                }
            }
        }
    }

    /**
     * Loads a pg_dump back into the tier's schema in one transaction, the schema emptied first so that it holds what the
     * dump holds and nothing made since ({@link PgTools#restore}), then compares every table's rows and checksum with the
     * manifest's and checks that no other table is there.
     */
    private IntegrityReport pgRestore(Tier t, Snapshot s, Snapshot.SnapshotFile f, Snapshot before, Phases phases) {
        String schema = schemaOf(t);
        try (TierInternals.Work w = phases.start("pg_restore " + t.name())) {
            PgTools.of(t.config()).restore(schema, s.dir().resolve(f.file()));
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : f.checksums().entrySet()) {
            String table = e.getKey();
            String now = t.hasTable(table) ? checksumText(t.checksum(table)) : "missing";
            if (!now.equals(e.getValue())) {
                throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + t.name() + "' table '" + table + "' does not match snapshot '"
                        + s.name() + "' after restoring: recorded " + describeSum(e.getValue()) + ", now " + describeSum(now)
                        + ". Its state before is in snapshot '" + before.name() + "'.");
            }
        }
        List<String> extra = t.tables().stream().filter(table -> !f.checksums().containsKey(table)).toList();
        if (!extra.isEmpty()) {
            throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + t.name() + "' holds table(s) " + String.join(", ", extra)
                    + " after restoring snapshot '" + s.name() + "', which does not hold them. Its state before is in snapshot '"
                    + before.name() + "'.");
        }
        return new IntegrityReport(t.name(), "count and checksum of " + f.checksums().size() + " table(s), no other table", problems);
    }

    private static String checksumText(Checksum c) {
        return c.rows() + ":" + c.sha256();
    }

    private static String describeSum(String s) {
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon) + " rows sha256 " + s.substring(colon + 1, Math.min(s.length(), colon + 13)) + "…";
    }

    private static String schemaOf(Tier t) {
        try {
            return TierInternals.connection(t).getSchema();
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot read the schema of tier '" + t.name() + "': "
                    + TierInternals.firstLine(e.getMessage()) + ". Nothing was restored.", e);
        }
    }

    /**
     * Copies a live SQLite database consistently, from a connection of its own. In rollback-journal mode the file itself is
     * copied while this connection holds a read transaction: no writer can change the file then (it needs the EXCLUSIVE
     * lock; it waits its busy timeout, as with the backup API), and a plain copy is several times faster than copying
     * page by page (DESIGN.md §10). In WAL mode committed pages also live in the -wal file: both files are copied under
     * a read transaction too (see {@link #copyWalFiles}), or, where no {@code cp} is found, the online backup API copies
     * the pages in one step under one read transaction.
     */
    private static void backup(TierConfig config, Path out, Phases phases) {
        copyConsistently(config, out, phases);
        // A snapshot is one self-contained file: rollback-journal mode, so reading it never leaves -wal/-shm beside it.
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + out); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = DELETE");
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot copy tier '" + config.name() + "' (" + config.sqliteFile() + ") to "
                    + out + ": " + e.getMessage() + ". Nothing was changed.", e);
        }
    }

    /** The consistent copy a snapshot starts from (see {@link #backup}), in the live file's journal mode: the sandbox's copy. */
    static void copyConsistently(TierConfig config, Path out) {
        copyConsistently(config, out, Phases.NONE);
    }

    /** As {@link #copyConsistently(TierConfig, Path)}, its bytes copied reported as the phase "copying TIER". */
    private static void copyConsistently(TierConfig config, Path out, Phases phases) {
        SQLiteConfig sc = new SQLiteConfig();
        sc.setBusyTimeout(Integer.parseInt(config.pragmas().getOrDefault("busy_timeout", "5000")));
        // Read-write unless the tier is configured read-only: only a writable connection may roll back a crashed
        // writer's hot journal, which must happen before the file is a committed state worth copying. It writes nothing else.
        sc.setReadOnly(config.readOnly());
        try (Connection c = sc.createConnection("jdbc:sqlite:" + config.sqliteFile()); Statement st = c.createStatement()) {
            String mode;
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                mode = rs.next() ? rs.getString(1) : "";
            }
            if (!"wal".equalsIgnoreCase(mode)) {
                st.execute("BEGIN");
                try {
                    // The first read takes the SHARED lock (rolling back a crashed writer's hot journal first): from here
                    // until COMMIT the file holds exactly one committed state.
                    st.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                    Path db = config.sqliteFile();
                    try (TierInternals.Work w = phases.start("copying " + config.name(), "bytes", Files.size(db), 0)) {
                        copyFile(db, out, w.watched() ? w::at : null);
                    }
                } finally {
                    st.execute("COMMIT");
                }
                return;
            }
            Path cp = onPath("cp");
            if (cp != null) {
                st.execute("BEGIN");
                try {
                    // The first read takes a WAL read mark: from here until COMMIT no checkpoint writes past it and the
                    // -wal cannot be restarted, so the two files hold this state (and maybe later commits) whole.
                    st.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                    copyWalFiles(cp, config, out, phases);
                } finally {
                    st.execute("COMMIT");
                }
                return;
            }
            // One step under one read transaction (a step at a time would start over whenever another connection writes):
            // its progress is the whole copy at once.
            try (TierInternals.Work w = phases.start("copying " + config.name(), "bytes", sizeWithWal(config.sqliteFile()), 0)) {
                ((org.sqlite.SQLiteConnection) c).getDatabase().backup("main", out.toAbsolutePath().toString(),
                        (remaining, pageCount) -> { }, BACKUP_SLEEP_MS, BACKUP_BUSY_RETRIES, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, "Copying tier '" + config.name() + "' was interrupted; the partial copy is removed.", e);
        } catch (SQLException | IOException e) {
            if (e instanceof SQLException se && damaged(se)) {
                throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + config.name() + "' (" + config.sqliteFile() + ") is damaged ("
                        + se.getMessage() + "); no snapshot of it can be taken. Restore it from an older snapshot ('sluice snapshots').", e);
            }
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot copy tier '" + config.name() + "' (" + config.sqliteFile() + ") to "
                    + out + ": " + e.getMessage() + ". Nothing was changed.", e);
        }
    }

    /**
     * Copies a WAL database's main file and its -wal as files, with {@code cp} in a child process, while the caller holds
     * a read transaction on it. That read mark keeps the copy consistent: a checkpoint may still write pages into the main
     * file meanwhile, but only pages whose newer version sits in a -wal frame at or before the mark, which the -wal copy
     * holds (the -wal is only appended to while a mark is held), so whoever opens the copy reads them from there; a
     * commit that lands during the copy is in the -wal copy whole or cut off at its last complete commit by the frames'
     * checksums, as SQLite's recovery does after a crash. The -shm is not copied (it is rebuilt from the -wal on first
     * open). A child process, not a Java file channel: closing a file descriptor of the database in this process would
     * release every POSIX lock the process holds on it, SQLite's included (SQLite's "How To Corrupt", 2.2), and in WAL
     * mode an idle connection's shared lock is what keeps another process from checkpointing and deleting the -wal under
     * it. Twice as fast as the backup API here (231 ms against 437 ms for 257 MB: docs/benchmarks.md).
     */
    private static void copyWalFiles(Path cp, TierConfig config, Path out, Phases phases) throws IOException, InterruptedException {
        Path db = config.sqliteFile();
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        Path outWal = out.resolveSibling(out.getFileName() + "-wal");
        // Whatever lies beside a copy that does not exist yet belongs to no database: a stale -wal would be replayed into it.
        Files.deleteIfExists(outWal);
        Files.deleteIfExists(out.resolveSibling(out.getFileName() + "-shm"));
        // The -wal may grow while the main file is copied (a commit landing): what it reports is capped at the sizes seen first.
        long dbBytes = Files.size(db);
        long total = sizeWithWal(db);
        try (TierInternals.Work w = phases.start("copying " + config.name(), "bytes", total, 0)) {
            runCopy(cp, db, out, w.watched() ? n -> w.at(Math.min(total, n)) : null);
            if (Files.isRegularFile(wal)) {
                runCopy(cp, wal, outWal, w.watched() ? n -> w.at(Math.min(total, dbBytes + n)) : null);
            }
        }
    }

    /** The main file's size and its -wal's, if any: what a copy of a WAL database reads. */
    private static long sizeWithWal(Path db) throws IOException {
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        return Files.size(db) + (Files.isRegularFile(wal) ? Files.size(wal) : 0);
    }

    /**
     * {@code cp -- FROM TO}, then the copy made durable (opened and closed here: no SQLite connection holds it). With
     * {@code copied} (someone watches) the copy's size is read every {@value #POLL_MILLIS} ms while cp runs.
     */
    private static void runCopy(Path cp, Path from, Path to, LongConsumer copied) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cp.toString(), "--", from.toAbsolutePath().toString(), to.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        try {
            if (copied != null) {
                // cp says something only when it fails, a line or two: the pipe holds it until it is read below.
                while (!p.waitFor(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    copied.accept(sizeOrZero(to));
                }
                copied.accept(sizeOrZero(to));
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException("cp failed: " + (said.isEmpty() ? "exit status " + p.exitValue() : said.lines().findFirst().orElse(said)));
            }
        } finally {
            p.destroyForcibly();
        }
        try (FileChannel o = FileChannel.open(to, StandardOpenOption.WRITE)) {
            o.force(true);
        }
    }

    /** The named program on PATH, or null. */
    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    Path p = Path.of(d, tool);
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        return p;
                    }
                }
            }
        }
        return null;
    }

    private static final long POLL_MILLIS = 100;

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // not created yet
        }
    }

    private static final int BACKUP_SLEEP_MS = 100;
    private static final int BACKUP_BUSY_RETRIES = 50;

    /** Copies in the kernel (copy_file_range where available) and makes the copy durable before it counts as taken. */
    private static void copyFile(Path from, Path to) throws IOException {
        copyFile(from, to, null);
    }

    /** As {@link #copyFile(Path, Path)}; with {@code copied} (someone watches), in chunks of 4 MiB, each reported. */
    private static void copyFile(Path from, Path to, LongConsumer copied) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel o = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long chunk = copied == null ? Long.MAX_VALUE : 4L << 20;
            long pos = 0;
            while (pos < size) {
                pos += in.transferTo(pos, Math.min(chunk, size - pos), o);
                if (copied != null) {
                    copied.accept(pos);
                }
            }
            o.force(true);
        }
    }

    /** sqlite-jdbc's backup/restore statements take the file name as a literal. */
    private static String quoteFile(Path p) {
        return Identifiers.literal(p.toAbsolutePath().toString());
    }

    private Snapshot.SnapshotFile describe(Tier live, Path copy, long copyMillis, long checkStart, Phases phases) throws IOException {
        // Hash the file on a second thread while this one counts and checks it: both read the same cached pages. Its
        // progress is shown only if it is still running once they are done (one phase at a time on the status line).
        CompletableFuture<String> hash = new CompletableFuture<>();
        AtomicLong hashed = new AtomicLong();
        AtomicReference<TierInternals.Work> hashing = new AtomicReference<>(TierInternals.Work.NONE);
        Thread hasher = new Thread(() -> {
            try {
                hash.complete(Sha256.ofFile(copy, n -> {
                    hashed.set(n);
                    hashing.get().at(n);
                }));
            } catch (Throwable t) {
                hash.completeExceptionally(t);
            }
        }, "sluice-snapshot-sha256");
        hasher.setDaemon(true);
        hasher.start();
        Map<String, Long> counts = new LinkedHashMap<>();
        String integrity;
        SQLiteConfig sc = new SQLiteConfig();
        sc.setReadOnly(true);
        try (Connection c = sc.createConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            try (TierInternals.Work w = phases.start("counting " + live.name() + "'s rows", "tables", tables.size(), 0)) {
                for (String t : tables) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + Identifiers.quote(t))) {
                        rs.next();
                        counts.put(t, rs.getLong(1));
                    }
                    w.at(counts.size());
                }
            }
            List<String> lines = new ArrayList<>();
            try (TierInternals.Work w = phases.start("integrity_check " + live.name());
                 ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) {
                    lines.add(rs.getString(1));
                }
            }
            integrity = String.join("; ", lines);
        } catch (SQLException e) {
            if (damaged(e)) {
                hash.handle((x, t) -> null).join();
                throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + live.name() + "' is damaged (" + e.getMessage()
                        + "); the snapshot was not kept. Restore it from an older snapshot ('sluice snapshots').", e);
            }
            throw new SluiceException(ErrorCode.SNAPSHOT, "The copy of tier '" + live.name() + "' at " + copy + " cannot be read back: "
                    + e.getMessage() + ". Nothing was changed in the tier.", e);
        }
        if (!integrity.equals("ok")) {
            hash.handle((x, t) -> null).join();
            throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + live.name() + "' fails integrity_check (" + abbreviate(integrity)
                    + "); the snapshot was not kept. Repair the database or restore an older snapshot.");
        }
        String sha;
        try {
            if (!hash.isDone()) {
                TierInternals.Work w = phases.start("hashing " + live.name() + "'s copy", "bytes", Files.size(copy), hashed.get());
                hashing.set(w);
                try {
                    hash.get();
                    w.at(hashed.get()); // the hasher's last step may have come before this phase was set to hear it
                } finally {
                    hashing.set(TierInternals.Work.NONE);
                    w.close();
                }
            }
            sha = hash.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, "Snapshot of tier '" + live.name() + "' was interrupted; the partial copy is removed.", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        return new Snapshot.SnapshotFile(live.name(), copy.getFileName().toString(), live.file().toString(), Files.size(copy),
                sha, counts, integrity, live.engineVersion(), copyMillis, (System.nanoTime() - checkStart) / 1_000_000);
    }

    /** Every snapshot, oldest first. Folders without a readable manifest are skipped. */
    public List<Snapshot> list() {
        Path root = ws.snapshotsDir();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Snapshot> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                Path m = d.resolve(MANIFEST);
                if (Files.isRegularFile(m)) {
                    try {
                        out.add(Json.mapper().readValue(m.toFile(), Snapshot.class).withDir(d));
                    } catch (IOException e) {
                        // An unreadable manifest is reported by get()/restore(), not by a listing.
                    }
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot list snapshots in " + root + ": " + e.getMessage() + ".", e);
        }
        out.sort(Comparator.comparing(Snapshot::createdAt).thenComparing(Snapshot::name));
        return out;
    }

    public Snapshot get(String name) {
        checkName(name);
        Path d = ws.snapshotsDir().resolve(name);
        Path m = d.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) {
            List<String> known = list().stream().map(Snapshot::name).toList();
            throw new SluiceException(ErrorCode.SNAPSHOT, "No snapshot '" + name + "' in " + ws.snapshotsDir() + ". "
                    + (known.isEmpty() ? "There are none yet; take one with 'sluice snapshot NAME'." : "Known: " + String.join(", ", known) + "."));
        }
        try {
            return Json.mapper().readValue(m.toFile(), Snapshot.class).withDir(d);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "The manifest of snapshot '" + name + "' (" + m + ") is unreadable: "
                    + e.getMessage().lines().findFirst().orElse("") + ". Nothing was restored.", e);
        }
    }

    /** Checks every file of a snapshot against its manifest; throws naming the first mismatch. */
    public Snapshot verify(String name) {
        return verify(name, Phases.NONE);
    }

    /** As {@link #verify(String)}, the bytes hashed of all its files reported as one phase. */
    private Snapshot verify(String name, Phases phases) {
        Snapshot s = get(name);
        long total = s.files().stream().mapToLong(Snapshot.SnapshotFile::bytes).sum();
        try (TierInternals.Work w = phases.start("verifying the manifest", "bytes", total, 0)) {
            verifyFiles(name, s, w, total);
        }
        return s;
    }

    private static void verifyFiles(String name, Snapshot s, TierInternals.Work w, long total) {
        long base = 0;
        for (Snapshot.SnapshotFile f : s.files()) {
            Path p = s.dir().resolve(f.file());
            if (!Files.isRegularFile(p)) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' is missing " + p + ". Nothing was restored; "
                        + "choose another snapshot ('sluice snapshots').");
            }
            String actual;
            try {
                long from = base;
                actual = Sha256.ofFile(p, w.watched() ? n -> w.at(Math.min(total, from + n)) : null);
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Cannot read " + p + ": " + e.getMessage() + ". Nothing was restored.", e);
            }
            base += f.bytes();
            if (!actual.equals(f.sha256())) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' file " + f.file() + " has sha256 " + actual.substring(0, 12)
                        + "… but its manifest says " + f.sha256().substring(0, 12) + "…: it was altered or damaged. Nothing was restored; "
                        + "choose another snapshot ('sluice snapshots').");
            }
        }
    }

    /** The result of a restore: what was restored and the safety snapshot taken first (with any damaged file's raw copy). */
    public record Restored(Snapshot restored, Snapshot before, List<IntegrityReport> integrity) {
        @Override
        public String toString() {
            List<String> restoredTiers = integrity.stream().map(IntegrityReport::tier).toList();
            String line = "Restored '" + restored.name() + "' (" + String.join(", ", restoredTiers) + "); the state before is kept as snapshot '"
                    + before.name() + "'.";
            for (Snapshot.DamagedCopy d : before.damaged()) {
                line += " Tier '" + d.tier() + "' was damaged: its file was replaced, and the damaged bytes are kept in "
                        + before.dir().resolve(d.files().get(0)) + ".";
            }
            return line;
        }
    }

    /**
     * Restores the tiers of a snapshot (or only the named ones): verifies the manifest, snapshots the current state,
     * copies the pages back into the live databases through their own connections, then checks integrity. A tier whose
     * file is damaged cannot be read by SQLite, so its state before is kept as a raw byte copy, and its file is replaced
     * whole: see {@link #replaceFile}.
     */
    public Restored restore(String name, List<String> only) {
        return restore(verifyForRestore(name, only), only);
    }

    /**
     * As {@link #restore(String, List)}, from a snapshot {@link #verifyForRestore} has just verified (its files are not
     * hashed a second time).
     */
    public Restored restore(Snapshot s, List<String> only) {
        String name = s.name();
        Phases phases = phases("restore " + name);
        if (s.files().isEmpty()) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' holds no restorable copy: it keeps only the damaged bytes of "
                    + String.join(", ", s.damaged().stream().map(Snapshot.DamagedCopy::tier).toList()) + " (in " + s.dir().resolve("damaged")
                    + "), for inspection or salvage with sqlite3's .recover. Choose another snapshot ('sluice snapshots').");
        }
        List<Snapshot.SnapshotFile> files = s.files().stream().filter(f -> only == null || only.isEmpty() || only.contains(f.tier())).toList();
        if (files.isEmpty()) {
            throw new SluiceException(ErrorCode.USAGE, "Snapshot '" + name + "' holds no tier named " + only + ". It holds: "
                    + String.join(", ", s.files().stream().map(Snapshot.SnapshotFile::tier).toList()) + ".");
        }
        List<Tier> affected = new ArrayList<>();
        for (Snapshot.SnapshotFile f : files) {
            Tier t = tiers.get(f.tier());
            if (f.isPgDump() != (t.engine() == Engine.POSTGRESQL)) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' holds tier '" + t.name() + "' as "
                        + (f.isPgDump() ? "a PostgreSQL dump" : "a SQLite file") + ", but the tier is now " + t.engine().label()
                        + ". Nothing was restored; restore it by hand, or choose another snapshot.");
            }
            if (f.isPgDump() && !f.schema().equals(schemaOf(t))) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Snapshot '" + name + "' holds schema '" + f.schema() + "' of tier '" + t.name()
                        + "', but the tier now uses schema '" + schemaOf(t) + "'. Nothing was restored; set currentSchema=" + f.schema()
                        + " in the tier's url to restore it.");
            }
            if (t.inTransaction()) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Tier '" + t.name() + "' has an open transaction. Commit or roll back first, then restore.");
            }
            if (t.readOnly()) {
                throw new SluiceException(ErrorCode.SNAPSHOT, "Tier '" + t.name() + "' is read-only and cannot be restored. Remove \"readOnly\" from sluice.json first.");
            }
            affected.add(t);
        }
        requirePgTools(affected, "pg_dump", "pg_restore", "psql");
        String beforeName = "before-restore-" + STAMP.format(Instant.now()) + "-" + name;
        beforeName = beforeName.length() > 120 ? beforeName.substring(0, 120) : beforeName;
        Snapshot before = write(uniqueName(beforeName), affected, "taken before restoring '" + name + "'", true,
                phases.named("restore " + name + ", safety snapshot"));
        List<String> damagedTiers = before.damaged().stream().map(Snapshot.DamagedCopy::tier).toList();
        List<IntegrityReport> checks = new ArrayList<>();
        for (Snapshot.SnapshotFile f : files) {
            Tier t = tiers.get(f.tier());
            Path from = s.dir().resolve(f.file());
            if (f.isPgDump()) {
                checks.add(pgRestore(t, s, f, before, phases));
                continue;
            }
            try (TierInternals.Work w = phases.start("copying back " + t.name(), "bytes", f.bytes(), 0)) {
                if (damagedTiers.contains(t.name())) {
                    replaceFile(t, from, name, before, w);
                } else {
                    restorePages(t, from, name, before, f.bytes(), w);
                }
            }
            IntegrityReport r;
            try (TierInternals.Work w = phases.start("integrity_check " + t.name())) {
                r = t.integrity();
            }
            checks.add(r);
            if (!r.ok()) {
                throw new SluiceException(ErrorCode.INTEGRITY, "Tier '" + t.name() + "' fails integrity_check after restoring '" + name
                        + "'. Its state before is in snapshot '" + before.name() + "'.");
            }
        }
        return new Restored(s, before, checks);
    }

    /** {@link #verify}, whose refusal names a damaged tier among {@code only} (all when empty) and how to salvage it. */
    public Snapshot verifyForRestore(String name, List<String> only) {
        try {
            return verify(name, phases("restore " + name));
        } catch (SluiceException e) {
            throw noSnapshotForDamaged(name, only, e);
        }
    }

    /** A missing or unusable snapshot, said with the damaged tier it was meant for: a snapshot cannot be taken of it now. */
    private SluiceException noSnapshotForDamaged(String name, List<String> only, SluiceException e) {
        List<Tier> damaged = new ArrayList<>();
        for (Tier t : tiers) {
            if ((only == null || only.isEmpty() || only.contains(t.name())) && TierInternals.damage(t) != null) {
                damaged.add(t);
            }
        }
        if (damaged.isEmpty()) {
            return e;
        }
        Tier t = damaged.get(0);
        String salvage = " Tier '" + t.name() + "' (" + t.file() + ") is damaged and was left as it is; salvage what is readable with "
                + "sqlite3 '" + t.file() + "' .recover, or restore it from a backup of your own.";
        if (Files.isRegularFile(ws.snapshotsDir().resolve(name).resolve(MANIFEST))) {
            return new SluiceException(e.code(), e.getMessage() + salvage, e);
        }
        List<String> known = list().stream().map(Snapshot::name).toList();
        return new SluiceException(e.code(), "No snapshot '" + name + "' in " + ws.snapshotsDir() + " ("
                + (known.isEmpty() ? "there are none" : "known: " + String.join(", ", known)) + "), so nothing was restored." + salvage, e);
    }

    /**
     * Puts a verified snapshot file in place of a damaged tier file without reading the damaged one through SQLite: with
     * the tier's connection closed and SQLite's lock bytes held (so no other process is reading or writing it), copies the
     * snapshot to a temporary file in the same folder and syncs it, removes the damaged file's -journal, -wal and -shm (they
     * belong to the damaged database, and a hot journal would be played into the restored file; their bytes are in the
     * raw copy), renames the copy over the file and syncs the folder, then reopens the tier.
     */
    private void replaceFile(Tier t, Path from, String name, Snapshot before, TierInternals.Work w) {
        Path db = t.file().toAbsolutePath();
        TierInternals.reopen(t, () -> holdingFile(t, db, () -> {
            Path tmp = db.resolveSibling("." + db.getFileName() + ".sluice-restore-" + ProcessHandle.current().pid());
            try {
                Files.deleteIfExists(tmp);
                copyFile(from, tmp, w.watched() ? w::at : null);
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(db));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system: the folder's ACL applies.
                }
                for (String suffix : new String[]{"-journal", "-wal", "-shm"}) {
                    Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
                }
                Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncFolder(db.getParent());
            } catch (IOException e) {
                deleteQuietly(tmp);
                throw new SluiceException(ErrorCode.IO, "Cannot put snapshot '" + name + "' in place of the damaged file of tier '" + t.name()
                        + "' (" + db + "): " + e.getMessage() + ". Its damaged bytes are kept in snapshot '" + before.name() + "'; free space or fix "
                        + "permissions, then run the restore again.", e);
            }
        }));
    }

    /**
     * Copies the snapshot's pages into the live database through the tier's own connection, with sqlite-jdbc's backup
     * API exactly as its {@code restore from FILE} statement does (100 pages a step, 3 retries 100 ms apart when busy),
     * plus an observer of the pages left when someone watches, reported as bytes of the snapshot file.
     */
    private static void restorePages(Tier t, Path from, String name, Snapshot before, long bytes, TierInternals.Work w) {
        try {
            if (TierInternals.connection(t) instanceof org.sqlite.SQLiteConnection c) {
                org.sqlite.core.DB.ProgressObserver seen = !w.watched() ? null
                        : (remaining, pageCount) -> w.at(pageCount <= 0 ? 0 : (pageCount - remaining) * bytes / pageCount);
                int rc = c.getDatabase().restore("main", from.toAbsolutePath().toString(), seen);
                if (rc != org.sqlite.SQLiteErrorCode.SQLITE_OK.code) {
                    throw org.sqlite.core.DB.newSQLException(rc, "Restore failed");
                }
                w.at(bytes);
            } else {
                try (Statement st = TierInternals.connection(t).createStatement()) {
                    st.executeUpdate("restore from " + quoteFile(from));
                }
            }
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Restoring tier '" + t.name() + "' from snapshot '" + name + "' failed: "
                    + e.getMessage() + ". Its state before is in snapshot '" + before.name() + "'; restore that to go back.", e);
        }
    }

    /**
     * Copies a damaged tier's file and its -wal, -journal and -shm siblings byte for byte into {@code damaged/} of the
     * snapshot folder, never through SQLite (which cannot read it). An error here leaves the partial folder to be removed.
     */
    private Snapshot.DamagedCopy rawCopy(Tier t, Path partial, String damage, Phases phases) throws IOException {
        Path db = t.file().toAbsolutePath();
        Path dir = partial.resolve("damaged");
        Files.createDirectories(dir);
        setPerms(dir, "rwx------");
        List<String> names = new ArrayList<>();
        long bytes = 0;
        // Copied while the tier's idle connection stays open: closing it would let SQLite checkpoint a -wal into the damaged
        // file or drop it, before its bytes are kept. Whether another process holds the file is asked before it is replaced.
        long total = 0;
        for (String suffix : new String[]{"", "-wal", "-journal", "-shm"}) {
            total += sizeOrZero(db.resolveSibling(db.getFileName() + suffix));
        }
        try (TierInternals.Work w = phases.start("keeping the damaged bytes of " + t.name(), "bytes", total, 0)) {
            for (String suffix : new String[]{"", "-wal", "-journal", "-shm"}) {
                Path src = db.resolveSibling(db.getFileName() + suffix);
                if (!Files.isRegularFile(src)) {
                    continue;
                }
                Path out = dir.resolve(t.name() + ".db" + suffix);
                long base = bytes;
                copyFile(src, out, w.watched() ? n -> w.at(base + n) : null);
                setPerms(out, "rw-------");
                bytes += Files.size(out);
                names.add("damaged/" + out.getFileName());
            }
        }
        return new Snapshot.DamagedCopy(t.name(), db.toString(), names, bytes, sha256(dir.resolve(t.name() + ".db")), abbreviate(damage));
    }

    /** SQLite's lock bytes in every database file (PENDING, RESERVED and the SHARED range), as its unix VFS places them. */
    private static final long SQLITE_LOCK_OFFSET = 0x40000000L;
    private static final long SQLITE_LOCK_BYTES = 512;

    /**
     * Runs {@code action} holding SQLite's lock bytes of {@code db} exclusively (a POSIX record lock, which SQLite's unix
     * VFS honours): refused in one line while another process reads or writes the file, or keeps it open in WAL mode.
     * The tier's own connection must be closed first (closing this channel drops the process's locks on the file).
     */
    private static void holdingFile(Tier t, Path db, Runnable action) {
        try (FileChannel ch = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = ch.tryLock(SQLITE_LOCK_OFFSET, SQLITE_LOCK_BYTES, false);
            if (lock == null) {
                throw new SluiceException(ErrorCode.LOCKED, "Tier '" + t.name() + "': another process has " + db + " open (it holds SQLite's "
                        + "lock on the file), so it cannot be restored now; nothing was changed. Find it with 'fuser " + db
                        + "', let it finish, then run the restore again.");
            }
            try {
                action.run();
            } finally {
                if (lock.isValid()) {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot open " + db + " of tier '" + t.name() + "' to restore it: " + e.getMessage()
                    + ". Check its permissions; nothing was changed.", e);
        }
    }

    private static void syncFolder(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a folder (Windows): the rename itself is still atomic.
        }
    }

    /** SQLITE_CORRUPT or SQLITE_NOTADB (with their extended codes): the file's pages are damaged. */
    private static boolean damaged(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == 11 || primary == 26;
    }

    private String uniqueName(String base) {
        String n = base;
        for (int i = 2; Files.exists(ws.snapshotsDir().resolve(n)); i++) {
            n = base + "-" + i;
        }
        return n;
    }

    /** Keeps the newest {@code keep} snapshots and deletes the others; returns the names deleted. */
    public List<String> prune(int keep) {
        return prune(keep, "");
    }

    /**
     * Retention for one family of snapshots: keeps the newest {@code keep} of those whose name starts with
     * {@code prefix} and deletes the older ones of that family only (others' snapshots, before-restore ones, are left alone).
     */
    public List<String> prune(int keep, String prefix) {
        if (keep < 0) {
            throw new SluiceException(ErrorCode.USAGE, "prune(" + keep + "): keep must be 0 or more.");
        }
        String p = prefix == null ? "" : prefix;
        List<Snapshot> all = list().stream().filter(s -> s.name().startsWith(p)).toList();
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < all.size() - keep; i++) {
            Snapshot s = all.get(i);
            try {
                deleteTree(s.dir());
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.IO, "Cannot delete snapshot '" + s.name() + "' (" + s.dir() + "): " + e.getMessage() + ".", e);
            }
            deleted.add(s.name());
        }
        return deleted;
    }

    /** Writes a logical SQL dump of a SQLite tier (schema and rows, like sqlite3's .dump), streaming. */
    public Path dump(String tierName, Path file) {
        Tier t = tiers.get(tierName);
        if (t.engine() != Engine.SQLITE) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, "dump() is not supported for " + t.engine().label()
                    + " tiers yet (tier '" + tierName + "'). Use pg_dump.");
        }
        Path out = file.isAbsolute() ? file : ws.dir().resolve(file);
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                new SqlDump(t).write(w);
            }
            setPerms(out, "rw-------");
            return out;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write dump " + out + ": " + e.getMessage() + ".", e);
        }
    }

    // ---------------------------------------------------------------- helpers


    private Path ensureRoot() {
        Path root = ws.snapshotsDir();
        try {
            Files.createDirectories(root);
            setPerms(root, "rwx------");
            return root;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot create snapshot folder " + root + ": " + e.getMessage() + ".", e);
        }
    }

    private static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new SluiceException(ErrorCode.USAGE, "Snapshot name '" + name + "' is not usable: use letters, digits, '.', '_' or '-' "
                    + "(e.g. pre-migration).");
        }
    }

    static String sha256(Path p) throws IOException {
        return Sha256.ofFile(p);
    }

    private static void setPerms(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the folder's ACL applies.
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // best effort clean-up of a partial snapshot
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 119) + "…";
    }
}
