package dev.sluice.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.Postgres;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox engine on its own: what a failed copy leaves behind (nothing), and what the copies are. */
class SandboxTest {
    @TempDir
    Path dir;

    private static long sandboxDatabases() throws Exception {
        try (Connection c = DriverManager.getConnection(Postgres.BASE_URL, Postgres.USER, ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'sluice_sandbox_%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aCopyThatFailsDropsEveryCopyAlreadyMadeAndSaysWhyInOneLine() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = dir.resolve("ws");
            Files.createDirectories(ws);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("a.db")); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
            }
            Map<String, TierSpec> tiers = new LinkedHashMap<>();
            tiers.put("a", TierSpec.of("a.db"));
            // A schema that does not exist: pg_dump refuses it after the SQLite copy and the scratch database were made.
            tiers.put("wh", new TierSpec(Postgres.BASE_URL + "?currentSchema=" + pg.schemaName() + "_missing", Postgres.USER, null, null, false, false, false));
            Workspace.write(ws, new Workspace.File(tiers, null, null));
            long before = sandboxDatabases();
            Path copies = dir.resolve("copies");
            SluiceException e = assertThrows(SluiceException.class, () -> Sandbox.open(Workspace.load(ws), copies, false));
            assertEquals(ErrorCode.SNAPSHOT, e.code());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().contains("pg_dump") && e.getMessage().contains("live tier was not changed"), e.getMessage());
            assertFalse(Files.exists(copies.resolve("a.db")), "the SQLite copy made before is deleted");
            assertEquals(before, sandboxDatabases(), "the scratch database made before is dropped");
        }
    }

    @Test
    void theSandboxWorkspacePointsAtTheCopiesAndKeepsTheLiveJournalFolder() throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("a.db")); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
        }
        Workspace.write(ws, new Workspace.File(Map.of("a", new TierSpec("a.db", null, null, null, true, false, false)), null, null));
        Workspace live = Workspace.load(ws);
        Path copy;
        try (Sandbox sb = Sandbox.open(live)) {
            copy = sb.workspace().tier("a").sqliteFile();
            assertEquals(sb.dir().resolve("a.db"), copy);
            assertTrue(Files.isRegularFile(copy));
            assertFalse(sb.workspace().tier("a").readOnly(), "everything is allowed in the sandbox, even on a read-only tier");
            assertEquals(live.journalDir(), sb.workspace().journalDir());
        }
        assertFalse(Files.exists(copy));
    }
}
