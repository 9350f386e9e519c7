package dev.sluice.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run locks that die with their holder (issue 14): where they live, who they name, and PostgreSQL's advisory lock. */
class RunLocksTest {
    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();

    private Path db(String name) {
        try (Tier t = TestWorkspaces.tier(dir.resolve("setup-" + name), name)) {
            t.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
            return t.file().toAbsolutePath();
        }
    }

    private static TierConfig sqlite(String name, Path file, boolean readOnly) {
        return new TierConfig(name, "jdbc:sqlite:" + file, null, null, Map.of(), readOnly, false, false, file);
    }

    private static List<Path> lockFilesIn(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.toString().endsWith(".sluice-lock")).toList();
        }
    }

    @Test
    void readOnlyTierIsLockedInTheWorkspaceAndNothingIsWrittenBesideOrInsideIt() throws Exception {
        Path file = db("ro");
        try (Tier w = Tier.open(sqlite("ro", file, false))) { // an older Sluice's lock row, its process gone
            w.exec("CREATE TABLE sluice_lock (tier TEXT PRIMARY KEY, owner TEXT, host TEXT, pid INTEGER, started TEXT, heartbeat TEXT, purpose TEXT)");
            w.exec("INSERT INTO sluice_lock VALUES ('ro', 'ana', ?, 999999999, '2026-01-01', '2026-01-01', 'run old')", Who.current().host());
        }
        String before = TestWorkspaces.fileHash(file);
        Path ws = dir.resolve("ws");
        try (Tier t = Tier.open(sqlite("ro", file, true))) {
            RunLocks.acquire(ws, List.of(t), Who.current(), "r1", "run test", notes::add);
            assertEquals(List.of(), lockFilesIn(file.getParent()), "nothing beside a read-only tier");
            assertEquals(1, lockFilesIn(ws.resolve(".sluice/locks")).size(), "its lock lives in the workspace");
            assertTrue(t.hasTable("sluice_lock"), "a read-only tier's old lock table is left alone");
            assertEquals(List.of(), notes);
            RunLocks.release(t, Who.current());
        }
        assertEquals(List.of(), lockFilesIn(ws.resolve(".sluice/locks")), "a clean release removes the lock file");
        assertEquals(before, TestWorkspaces.fileHash(file), "the read-only file is byte-identical");
    }

    @Test
    void everyHolderIsNamedInOneLineAndARefusedAcquireKeepsNothing() {
        Path f1 = db("one");
        Path f2 = db("two");
        Path ws = dir.resolve("ws");
        try (Tier a2 = Tier.open(sqlite("two", f2, false)); Tier b1 = Tier.open(sqlite("one", f1, false));
             Tier c1 = Tier.open(sqlite("one", f1, false)); Tier c2 = Tier.open(sqlite("two", f2, false))) {
            RunLocks.acquire(ws, List.of(a2), Who.current(), "ra", "run a.groovy", notes::add);
            SluiceException first = assertThrows(SluiceException.class,
                    () -> RunLocks.acquire(ws, List.of(b1, c2), Who.current(), "rb", "run b.groovy", notes::add));
            assertEquals(ErrorCode.LOCKED, first.code());
            assertFalse(RunLocks.holds(b1), "all or nothing: tier one was given back");

            RunLocks.acquire(ws, List.of(b1), Who.current(), "rb", "run b.groovy", notes::add);
            SluiceException e = assertThrows(SluiceException.class,
                    () -> RunLocks.acquire(ws, List.of(c1, c2), Who.current(), "rc", "run c.groovy", notes::add));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith("Tier 'one' is locked by"), e.getMessage());
            assertTrue(e.getMessage().contains("run b.groovy") && e.getMessage().contains("; tier 'two' is locked by")
                    && e.getMessage().contains("run a.groovy"), e.getMessage());
            assertTrue(e.getMessage().contains("Wait for those runs to finish"), e.getMessage());
            RunLocks.release(a2, Who.current());
            RunLocks.release(b1, Who.current());
            RunLocks.acquire(ws, List.of(c1, c2), Who.current(), "rc", "run c.groovy", notes::add);
            RunLocks.release(c1, Who.current());
            RunLocks.release(c2, Who.current());
        }
    }

    @Test
    void aFolderThatIsNotWritableSendsTheLockFileToTheWorkspace() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root writes into any folder");
        Path file = db("locked");
        Path ws = dir.resolve("ws");
        Path folder = file.getParent();
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try (Tier t = Tier.open(sqlite("locked", file, false))) {
            RunLocks.acquire(ws, List.of(t), Who.current(), "r1", "run test", notes::add);
            assertEquals(1, lockFilesIn(ws.resolve(".sluice/locks")).size());
            RunLocks.release(t, Who.current());
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void postgresAdvisoryLockRefusesASecondSessionAndDiesWithItsOwn() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            TierConfig c = new TierConfig("warehouse", pg.url(), Postgres.USER, null, Map.of(), false, false, false, null);
            Path ws = dir.resolve("ws");
            Who who = Who.current();
            // The same database named another way (default port): this JVM's registry cannot tell, only the server can.
            Assumptions.assumeTrue(pg.url().contains(":5432/"), "needs the default port");
            TierConfig other = new TierConfig("warehouse", pg.url().replace(":5432/", "/"), Postgres.USER, null, Map.of(), false, false, false, null);
            try (Tier a = Tier.open(c); Tier b = Tier.open(other)) {
                RunLocks.acquire(ws, List.of(a), who, "20261207-run-a", "run a.groovy", notes::add);
                SluiceException e = assertThrows(SluiceException.class,
                        () -> RunLocks.acquire(ws, List.of(b), who, "20261207-run-b", "run b.groovy", notes::add));
                assertEquals(ErrorCode.LOCKED, e.code());
                assertTrue(e.getMessage().contains("Tier 'warehouse' is locked by"), e.getMessage());
                assertTrue(e.getMessage().contains("pid " + who.pid()) && e.getMessage().contains("run 20261207-run-a"), e.getMessage());
                assertThrows(SluiceException.class, () -> RunLocks.refuseIfHeld(ws, List.of(b), who), "a dry run is refused too");
                RunLocks.refuseIfHeld(ws, List.of(a), who); // its own session passes (restore, repair under the run)
                assertTrue(a.tables().isEmpty(), "nothing written into the schema: " + a.tables());

                // The holder's session ends (its process died, the network went): the server drops the lock.
                try (Connection admin = pg.connect(); Statement st = admin.createStatement()) {
                    st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'sluice 20261207-run-a pid %'")
                            .close();
                }
                Thread.sleep(200);
                RunLocks.acquire(ws, List.of(b), who, "20261207-run-b", "run b.groovy", notes::add);
                SluiceException lost = assertThrows(SluiceException.class, () -> RunLocks.heartbeat(a, who));
                assertTrue(lost.getMessage().startsWith("Lost the run lock of tier 'warehouse'"), lost.getMessage());
                RunLocks.release(b, who);
                RunLocks.acquire(ws, List.of(a), who, "20261207-run-a", "run a.groovy", notes::add);
                RunLocks.release(a, who);
            }
        }
    }
}
