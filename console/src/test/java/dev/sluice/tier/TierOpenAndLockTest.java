package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening missing and corrupt files, lock contention, and freeze/thaw between real connections. */
class TierOpenAndLockTest {
    @TempDir
    Path dir;

    private static void assertOneLine(SluiceException e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void missingFileIsRefusedInOneLineAndNotCreated() {
        Workspace ws = TestWorkspaces.sqlite(dir, "gone");
        SluiceException e = assertThrows(SluiceException.class, () -> Tier.open(ws.tier("gone")));
        assertEquals(ErrorCode.TIER_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertOneLine(e);
        assertFalse(Files.exists(dir.resolve("data/gone.db")));
    }

    @Test
    void corruptFileIsRefusedInOneLineAndLeftAsItWas() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(dir, "bad");
        Path f = dir.resolve("data/bad.db");
        Files.createDirectories(f.getParent());
        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(f, garbage);
        String before = TestWorkspaces.fileHash(f);
        SluiceException e = assertThrows(SluiceException.class, () -> Tier.open(ws.tier("bad")));
        assertEquals(ErrorCode.TIER_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("not a usable SQLite database"), e.getMessage());
        assertOneLine(e);
        assertEquals(before, TestWorkspaces.fileHash(f));
    }

    @Test
    void directoryInsteadOfFileIsRefused() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(dir, "d");
        Files.createDirectories(dir.resolve("data/d.db"));
        SluiceException e = assertThrows(SluiceException.class, () -> Tier.open(ws.tier("d")));
        assertEquals(ErrorCode.TIER_UNAVAILABLE, e.code());
        assertOneLine(e);
    }

    private Workspace twoOnOneFile(int busyMillis) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("sluice.json"), """
                {"tiers": {
                  "a": {"path": "data/shared.db", "pragmas": {"journal_mode": "WAL"}},
                  "b": {"path": "data/shared.db", "pragmas": {"busy_timeout": "%d"}}
                }}""".formatted(busyMillis));
        Workspace ws = Workspace.load(dir);
        try (Tier a = Tier.open(ws.tier("a"), true)) {
            a.exec("CREATE TABLE q (id INTEGER PRIMARY KEY, v TEXT)");
            a.exec("INSERT INTO q VALUES (1, 'x')");
        }
        return ws;
    }

    @Test
    void lockedDatabaseIsOneLineWithLockedCode() throws Exception {
        Workspace ws = twoOnOneFile(100);
        try (Tier a = Tier.open(ws.tier("a")); Tier b = Tier.open(ws.tier("b"))) {
            a.freeze();
            long t0 = System.nanoTime();
            SluiceException e = assertThrows(SluiceException.class, () -> b.exec("INSERT INTO q VALUES (2, 'y')"));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(ErrorCode.LOCKED, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("locked"), e.getMessage());
            assertOneLine(e);
            assertTrue(waited >= 80 && waited < 3000, "waited " + waited + " ms for a 100 ms busy timeout");
            a.thaw();
            assertEquals(1, b.exec("INSERT INTO q VALUES (2, 'y')"));
        }
    }

    @Test
    void frozenTierMakesOtherWritersWaitWhileReadersContinueAndThawLetsThemIn() throws Exception {
        Workspace ws = twoOnOneFile(5000);
        Path db = dir.resolve("data/shared.db");
        try (Tier a = Tier.open(ws.tier("a"))) {
            a.freeze();
            assertTrue(a.frozen());
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                    st.execute("PRAGMA busy_timeout = 5000");
                    st.executeUpdate("INSERT INTO q VALUES (3, 'from another process')");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            });
            Thread.sleep(400);
            assertFalse(writer.isDone(), "the writer must wait while frozen");
            try (Connection r = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = r.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM q")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "readers continue in WAL mode");
            }
            a.exec("INSERT INTO q VALUES (2, 'inside the freeze')");
            a.thaw();
            assertFalse(a.frozen());
            long waited = writer.get(10, TimeUnit.SECONDS);
            assertTrue(waited >= 350, "writer waited " + waited + " ms");
            assertEquals(3, a.count("q"), "nothing lost: the frozen write and the waiting write are both there");
        }
    }

    @Test
    void closingAFrozenTierReleasesTheLock() throws Exception {
        Workspace ws = twoOnOneFile(100);
        Tier a = Tier.open(ws.tier("a"));
        a.freeze();
        a.close();
        try (Tier b = Tier.open(ws.tier("b"))) {
            assertEquals(1, b.exec("INSERT INTO q VALUES (2, 'y')"));
        }
    }
}
