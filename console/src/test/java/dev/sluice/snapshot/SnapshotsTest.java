package dev.sluice.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Identifiers;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

class SnapshotsTest {
    @TempDir
    Path dir;

    private TierSet awkward() {
        Workspace ws = TestWorkspaces.sqlite(dir, "a", "b");
        for (String n : List.of("a", "b")) {
            try (Tier t = Tier.open(ws.tier(n), true)) {
                t.exec("CREATE TABLE " + Identifiers.quote("my \"table\"") + " (id INTEGER PRIMARY KEY, s TEXT, b BLOB, r REAL)");
                t.exec("CREATE TABLE " + Identifiers.quote("order") + " (x, y)");
                t.exec("CREATE INDEX " + Identifiers.quote("a b") + " ON " + Identifiers.quote("order") + "(y)");
                t.exec("CREATE TRIGGER tr AFTER INSERT ON \"order\" BEGIN UPDATE \"order\" SET y = coalesce(y, 'dflt; x') WHERE rowid = new.rowid; END");
                t.exec("CREATE VIEW vw AS SELECT count(*) AS n FROM \"order\"");
                t.exec("INSERT INTO \"my \"\"table\"\"\" VALUES (1, 'it''s ✓ 𝄞', x'00ff00', -0.5), (2, NULL, NULL, NULL), (3, 'line\nbreak', zeroblob(0), 1e300)");
                t.exec("INSERT INTO \"order\" VALUES (1, NULL), (NULL, 'z'), ('é', x'01')");
            }
        }
        return TierSet.open(ws);
    }

    private static String perms(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void snapshotWritesVerifiedFilesAndAPrivateManifest() throws Exception {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "test");
            Snapshot s = snaps.take("pre", null);
            assertEquals(List.of("a", "b"), s.files().stream().map(Snapshot.SnapshotFile::tier).toList());
            Path folder = dir.resolve("snapshots/pre");
            assertEquals(folder.toAbsolutePath().normalize(), s.dir().toAbsolutePath().normalize());
            assertEquals("rwx------", perms(dir.resolve("snapshots")));
            assertEquals("rwx------", perms(folder));
            assertEquals("rw-------", perms(folder.resolve("a.db")));
            assertEquals("rw-------", perms(folder.resolve(Snapshots.MANIFEST)));
            Snapshot.SnapshotFile f = s.files().get(0);
            assertEquals(Snapshots.sha256(folder.resolve("a.db")), f.sha256());
            assertEquals(Files.size(folder.resolve("a.db")), f.bytes());
            assertEquals(Map.of("my \"table\"", 3L, "order", 3L), f.counts());
            assertEquals("ok", f.integrity());
            assertEquals("test", s.sluiceVersion());
            assertFalse(Files.exists(folder.resolve("a.db-wal")));
            String manifest = Files.readString(folder.resolve(Snapshots.MANIFEST));
            assertTrue(manifest.contains("\"sha256\"") && manifest.contains("\"createdAt\""), manifest);
            assertEquals(List.of("pre"), snaps.list().stream().map(Snapshot::name).toList());
            assertEquals(tiers.get("a").checksum("my \"table\""), checksumOfFile(folder.resolve("a.db"), "my \"table\""));
            SluiceException again = assertThrows(SluiceException.class, () -> snaps.take("pre", null));
            assertEquals(ErrorCode.SNAPSHOT, again.code());
            SluiceException badName = assertThrows(SluiceException.class, () -> snaps.take("../x", null));
            assertEquals(ErrorCode.USAGE, badName.code());
        }
    }

    private Checksum checksumOfFile(Path db, String table) {
        Path ws = Files.exists(dir.resolve("check")) ? dir.resolve("check-" + System.nanoTime()) : dir.resolve("check");
        Workspace.write(ws, new Workspace.File(Map.of("c", TierSpec.of(db.toString())), null, null));
        try (Tier t = Tier.open(Workspace.load(ws).tier("c"))) {
            return t.checksum(table);
        }
    }

    @Test
    void restoreBringsEveryTierBackAndKeepsTheStateBefore() {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "test");
            Checksum a0 = tiers.get("a").checksum("my \"table\"");
            snaps.take("pre", null);
            tiers.get("a").exec("DELETE FROM \"my \"\"table\"\"\" WHERE id = 1");
            tiers.get("b").exec("DROP TABLE \"order\"");
            Checksum a1 = tiers.get("a").checksum("my \"table\"");
            Snapshots.Restored r = snaps.restore("pre", null);
            assertEquals(a0, tiers.get("a").checksum("my \"table\""), "the open connection sees the restored data");
            assertTrue(tiers.get("b").hasTable("order"));
            assertTrue(r.integrity().stream().allMatch(dev.sluice.tier.IntegrityReport::ok));
            assertTrue(r.before().name().startsWith("before-restore-"), r.before().name());
            assertEquals(a1, checksumOfFile(r.before().dir().resolve("a.db"), "my \"table\""));
            assertEquals(2, snaps.list().size());
        }
    }

    @Test
    void restoreOfOneTierLeavesTheOthersAlone() {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "test");
            snaps.take("pre", null);
            tiers.get("a").exec("DELETE FROM \"order\"");
            tiers.get("b").exec("DELETE FROM \"order\"");
            snaps.restore("pre", List.of("a"));
            assertEquals(3, tiers.get("a").count("order"));
            assertEquals(0, tiers.get("b").count("order"));
            SluiceException none = assertThrows(SluiceException.class, () -> snaps.restore("pre", List.of("zzz")));
            assertEquals(ErrorCode.USAGE, none.code());
        }
    }

    @Test
    void alteredSnapshotIsRefusedBeforeAnythingChanges() throws Exception {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "test");
            snaps.take("pre", null);
            tiers.get("a").exec("DELETE FROM \"order\"");
            Path copy = dir.resolve("snapshots/pre/b.db");
            byte[] bytes = Files.readAllBytes(copy);
            bytes[bytes.length - 1] ^= 1;
            Files.write(copy, bytes);
            String liveA = TestWorkspaces.fileHash(dir.resolve("data/a.db"));
            SluiceException e = assertThrows(SluiceException.class, () -> snaps.restore("pre", null));
            assertEquals(ErrorCode.SNAPSHOT, e.code());
            assertTrue(e.getMessage().contains("b.db") && e.getMessage().contains("altered or damaged"), e.getMessage());
            assertEquals(liveA, TestWorkspaces.fileHash(dir.resolve("data/a.db")));
            assertEquals(0, tiers.get("a").count("order"));
            assertEquals(1, snaps.list().size(), "no before-restore snapshot either");
            Files.delete(copy);
            SluiceException missing = assertThrows(SluiceException.class, () -> snaps.restore("pre", null));
            assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
            SluiceException unknown = assertThrows(SluiceException.class, () -> snaps.restore("nope", null));
            assertTrue(unknown.getMessage().contains("Known: pre"), unknown.getMessage());
        }
    }

    @Test
    void snapshotRefusesATierWithAnOpenTransaction() {
        try (TierSet tiers = awkward()) {
            tiers.get("a").begin();
            SluiceException e = assertThrows(SluiceException.class, () -> new Snapshots(tiers, "t").take("x", null));
            assertEquals(ErrorCode.SNAPSHOT, e.code());
            assertFalse(Files.exists(dir.resolve("snapshots/x")));
            assertFalse(Files.exists(dir.resolve("snapshots/.x.partial")));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"WAL", "DELETE"})
    void snapshotIsConsistentWhileAnotherConnectionWrites(String journalMode) throws Exception {
        Workspace ws = TestWorkspaces.sqlite(dir, "w");
        try (Tier t = Tier.open(ws.tier("w"), true)) {
            t.exec("PRAGMA journal_mode = " + journalMode);
            t.exec("CREATE TABLE ledger (id INTEGER PRIMARY KEY, pad BLOB)");
            t.exec("CREATE TABLE total (n INTEGER)");
            t.exec("INSERT INTO total VALUES (0)");
            t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO ledger SELECT i, randomblob(200) FROM n");
            t.exec("UPDATE total SET n = (SELECT count(*) FROM ledger)");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/w.db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                while (!stop.get()) {
                    // Each transaction keeps the invariant total.n = count(ledger).
                    st.execute("BEGIN IMMEDIATE");
                    st.execute("INSERT INTO ledger (pad) VALUES (randomblob(200))");
                    st.execute("UPDATE total SET n = n + 1");
                    st.execute("COMMIT");
                    writes.incrementAndGet();
                    // A writer that commits back to back with no pause starves any reader in rollback-journal mode
                    // (SQLite's PENDING lock); a short breath is what real writers have.
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (TierSet tiers = TierSet.open(ws)) {
            Snapshots snaps = new Snapshots(tiers, "t");
            while (writes.get() < 20) {
                Thread.sleep(5);
            }
            Snapshot s = snaps.take("during", null);
            stop.set(true);
            writer.get(10, TimeUnit.SECONDS);
            Path copy = s.dir().resolve("w.db");
            Workspace.write(dir.resolve("c"), new Workspace.File(Map.of("c", TierSpec.of(copy.toString())), null, null));
            try (Tier c = Tier.open(Workspace.load(dir.resolve("c")).tier("c"))) {
                long n = ((Number) c.query("SELECT n FROM total").value()).longValue();
                assertEquals(n, c.count("ledger"), "the copy is one committed state");
                assertTrue(c.integrity().ok());
                assertEquals(s.files().get(0).counts().get("ledger"), n);
                assertEquals("delete", c.query("PRAGMA journal_mode").value(), "a snapshot file stands alone");
            }
            assertFalse(Files.exists(s.dir().resolve("w.db-wal")));
        }
    }

    /**
     * Issue 13 (the sandbox's cost): a WAL tier is copied as its two files under a read transaction. While another
     * connection commits and checkpoints after every commit (so pages are written into the main file during the copy),
     * each copy is one committed state: the invariant holds, integrity_check passes, and the -wal beside the copy is
     * what holds the newest pages. The tier's own connection stays open meanwhile, and is unharmed.
     */
    @Test
    void walCopyIsOneCommittedStateWhileAnotherConnectionCommitsAndCheckpoints() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(dir, "w");
        try (Tier t = Tier.open(ws.tier("w"), true)) {
            t.exec("PRAGMA journal_mode = WAL");
            t.exec("CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT, pad BLOB)");
            t.exec("CREATE TABLE total (n INTEGER)");
            t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) "
                    + "INSERT INTO ledger SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ü ✓ ' || i END, randomblob(300) FROM n");
            t.exec("INSERT INTO total SELECT count(*) FROM ledger");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/w.db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.execute("PRAGMA wal_autocheckpoint = 1");   // a checkpoint after every commit
                while (!stop.get()) {
                    st.execute("BEGIN IMMEDIATE");
                    st.execute("UPDATE ledger SET pad = randomblob(300) WHERE id % 50 = " + (writes.get() % 50));
                    st.execute("INSERT INTO ledger (note, pad) VALUES (NULL, randomblob(300))");
                    st.execute("UPDATE total SET n = n + 1");
                    st.execute("COMMIT");
                    writes.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (TierSet tiers = TierSet.open(ws)) {   // the live tier's connection stays open in this process throughout
            while (writes.get() < 5) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 8; i++) {
                Path copy = dir.resolve("copy-" + i + ".db");
                Snapshots.copyConsistently(ws.tier("w"), copy);
                assertTrue(Files.isRegularFile(dir.resolve("copy-" + i + ".db-wal")), "the -wal was copied beside the main file");
                Workspace.write(dir.resolve("c" + i), new Workspace.File(Map.of("c", TierSpec.of(copy.toString())), null, null));
                try (Tier c = Tier.open(Workspace.load(dir.resolve("c" + i)).tier("c"))) {
                    long n = ((Number) c.query("SELECT n FROM total").value()).longValue();
                    assertEquals(n, c.count("ledger"), "copy " + i + " is one committed state");
                    assertTrue(c.integrity().ok(), "copy " + i);
                    assertEquals("wal", c.query("PRAGMA journal_mode").value(), "the sandbox keeps the live journal mode");
                }
            }
            stop.set(true);
            writer.get(10, TimeUnit.SECONDS);
            assertTrue(writes.get() > 5, "the writer kept committing: " + writes.get());
            Tier live = tiers.get("w");
            assertTrue(live.integrity().ok());
            assertEquals(((Number) live.query("SELECT n FROM total").value()).longValue(), live.count("ledger"));
        }
    }

    @Test
    void dumpLoadsIntoAFreshDatabaseWithTheSameChecksums() throws Exception {
        try (TierSet tiers = awkward()) {
            Path out = new Snapshots(tiers, "t").dump("a", Path.of("dumps/a.sql"));
            assertEquals(dir.resolve("dumps/a.sql").toAbsolutePath().normalize(), out.toAbsolutePath().normalize());
            assertEquals("rw-------", perms(out));
            Path fresh = loadDump(out, "fresh-a.db");
            for (String table : List.of("my \"table\"", "order")) {
                assertEquals(tiers.get("a").checksum(table), checksumOfFile(fresh, table), table);
            }
            Workspace.write(dir.resolve("f"), new Workspace.File(Map.of("f", TierSpec.of(fresh.toString())), null, null));
            try (Tier f = Tier.open(Workspace.load(dir.resolve("f")).tier("f"))) {
                assertEquals(tiers.get("a").fingerprint().schemaSha256(), f.fingerprint().schemaSha256());
            }
        }
    }

    @Test
    void dumpOfTheDemoKeepsFts5AndBlobs() throws Exception {
        Workspace ws = DemoWorkspace.create(dir.resolve("demo"));
        try (TierSet tiers = TierSet.open(ws)) {
            Snapshots snaps = new Snapshots(tiers, "t");
            for (String tierName : List.of("tier2", "tier3")) {
                Tier live = tiers.get(tierName);
                Path fresh = loadDump(snaps.dump(tierName, dir.resolve(tierName + ".sql")), tierName + "-fresh.db");
                Workspace.write(dir.resolve("ws-" + tierName), new Workspace.File(Map.of("f", TierSpec.of(fresh.toString())), null, null));
                try (Tier f = Tier.open(Workspace.load(dir.resolve("ws-" + tierName)).tier("f"))) {
                    Map<String, Checksum> want = new LinkedHashMap<>();
                    Map<String, Checksum> got = new LinkedHashMap<>();
                    for (String table : live.tables()) {
                        if (live.schema(table).startsWith("CREATE VIRTUAL TABLE") || table.contains("_fts_")) {
                            continue;
                        }
                        want.put(table, live.checksum(table));
                        got.put(table, f.checksum(table));
                    }
                    assertFalse(want.isEmpty());
                    assertEquals(want, got, tierName);
                    assertTrue(f.integrity().ok());
                }
            }
        }
    }

    private Path loadDump(Path dump, String name) throws Exception {
        Path fresh = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + fresh)) {
            ((SQLiteConnection) c).getDatabase()._exec(Files.readString(dump));
        }
        return fresh;
    }

    @Test
    void pruneKeepsTheNewest() throws Exception {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "t");
            for (String n : List.of("s1", "s2", "s3", "s4")) {
                snaps.take(n, List.of("a"));
                Thread.sleep(5);
            }
            assertEquals(List.of("s1", "s2"), snaps.prune(2));
            assertEquals(List.of("s3", "s4"), snaps.list().stream().map(Snapshot::name).toList());
            assertFalse(Files.exists(dir.resolve("snapshots/s1")));
            assertEquals(List.of(), snaps.prune(5));
            assertThrows(SluiceException.class, () -> snaps.prune(-1));
            assertEquals(List.of("s3", "s4"), snaps.prune(0));
            assertEquals(List.of(), snaps.list());
        }
    }

    @Test
    void sqlDumpOfAPostgresqlTierIsRefusedAsNotSupportedYet() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {\"lite\": \"data/lite.db\"}}");
        Workspace ws = Workspace.load(dir);
        Tier.open(ws.tier("lite"), true).close();
        try (TierSet tiers = TierSet.open(ws)) {
            Snapshots snaps = new Snapshots(tiers, "t");
            SluiceException e = assertThrows(SluiceException.class, () -> snaps.take("x", List.of("nope")));
            assertEquals(ErrorCode.WORKSPACE, e.code());
        }
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            Path pws = dir.resolve("pg");
            Workspace.write(pws, new Workspace.File(Map.of("warehouse", new TierSpec(pg.url(), "postgres", null, null, false, false, false)), null, null));
            try (TierSet tiers = TierSet.open(Workspace.load(pws))) {
                Snapshots snaps = new Snapshots(tiers, "t");
                // Snapshots of PostgreSQL tiers go through pg_dump (PostgresSnapshotCliTest); the logical SQL dump does not.
                SluiceException dump = assertThrows(SluiceException.class, () -> snaps.dump("warehouse", Path.of("w.sql")));
                assertEquals(ErrorCode.UNSUPPORTED, dump.code());
                assertFalse(Files.exists(pws.resolve("snapshots/x")));
            }
        }
    }

    @Test
    void readOnlyTierCanBeSnapshotButNotRestored() throws Exception {
        Workspace rw = TestWorkspaces.sqlite(dir.resolve("rw"), "r");
        try (Tier t = Tier.open(rw.tier("r"), true)) {
            t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY)");
            t.exec("INSERT INTO a VALUES (1)");
        }
        Path ws = dir.resolve("ro");
        Files.createDirectories(ws);
        Files.writeString(ws.resolve("sluice.json"), "{\"tiers\": {\"r\": {\"path\": \"" + dir.resolve("rw/data/r.db") + "\", \"readOnly\": true}}}");
        try (TierSet tiers = TierSet.open(Workspace.load(ws))) {
            Snapshots snaps = new Snapshots(tiers, "t");
            Snapshot s = snaps.take("ro", null);
            assertEquals(Map.of("a", 1L), s.files().get(0).counts());
            SluiceException e = assertThrows(SluiceException.class, () -> snaps.restore("ro", null));
            assertEquals(ErrorCode.SNAPSHOT, e.code());
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void snapshotsDifferWhenDataDiffers() {
        try (TierSet tiers = awkward()) {
            Snapshots snaps = new Snapshots(tiers, "t");
            Snapshot one = snaps.take("one", List.of("a"));
            tiers.get("a").exec("INSERT INTO \"order\" VALUES (9, 9)");
            Snapshot two = snaps.take("two", List.of("a"));
            assertNotEquals(one.files().get(0).sha256(), two.files().get(0).sha256());
        }
    }
}
