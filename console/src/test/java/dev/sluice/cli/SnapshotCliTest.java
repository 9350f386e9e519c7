package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotCliTest {
    @TempDir
    Path dir;

    private static String title(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT title FROM conversations WHERE id = 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void demoThenStatusShowsThreeTiersWithCounts() {
        Path ws = dir.resolve("demo");
        CliRunner demo = CliRunner.run("demo", ws.toString());
        assertEquals(0, demo.status(), demo.err());
        CliRunner status = CliRunner.run("status", "-w", ws.toString());
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("tier1") && status.out().contains("tier2") && status.out().contains("tier3"), status.out());
        assertTrue(status.out().contains("24,000"), status.out());
    }

    /**
     * Issue 16: progress is for a person at a terminal. In a pipe (as here: no console) snapshot and restore draw nothing
     * on either stream, nor on the process's own stderr, where the progressbar library would draw.
     */
    @Test
    void snapshotAndRestoreInAPipeDrawNoProgress() throws Exception {
        Path ws = dir.resolve("demo");
        assertEquals(0, CliRunner.run("demo", ws.toString()).status());
        java.io.ByteArrayOutputStream processErr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        CliRunner snapshot;
        CliRunner restore;
        System.setErr(new java.io.PrintStream(processErr, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            snapshot = CliRunner.run("snapshot", "-w", ws.toString(), "piped");
            restore = CliRunner.run("restore", "-w", ws.toString(), "piped");
        } finally {
            System.setErr(before);
        }
        assertEquals(0, snapshot.status(), snapshot.err());
        assertEquals(0, restore.status(), restore.err());
        assertTrue(snapshot.out().startsWith("Snapshot 'piped'"), snapshot.out());
        assertTrue(restore.out().startsWith("Restored 'piped'"), restore.out());
        assertEquals("", snapshot.err());
        assertEquals("", restore.err());
        assertEquals("", processErr.toString(java.nio.charset.StandardCharsets.UTF_8), "no bar drawn behind the CLI's back");
        for (String printed : new String[]{snapshot.out(), restore.out()}) {
            assertTrue(!printed.contains("\r") && !printed.contains("\u001b"), "no redrawn line: " + printed);
        }
    }

    @Test
    void restoreBringsBackAChangedRowAndKeepsTheStateBefore() throws Exception {
        Path ws = dir.resolve("demo");
        assertEquals(0, CliRunner.run("demo", ws.toString()).status());
        Path t1 = ws.resolve("data/tier1.db");
        String original = title(t1);
        assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t1); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE conversations SET title = 'changed' WHERE id = 1");
        }
        CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");
        assertEquals(0, restore.status(), restore.err());
        assertEquals(original, title(t1));
        CliRunner list = CliRunner.run("snapshots", "-w", ws.toString());
        assertTrue(list.out().contains("before-restore-"), list.out());
    }

    @Test
    void pruneWithAPrefixKeepsTheNewestOfThatFamilyAndLeavesOtherSnapshotsAlone() {
        Path ws = dir.resolve("ws");
        try (dev.sluice.tier.Tier t = dev.sluice.tier.Tier.open(TestWorkspaces.sqlite(ws, "tier1").tier("tier1"), true)) {
            t.exec("CREATE TABLE t (x)");
        }
        for (String name : new String[]{"other-1", "daily_1", "daily_2", "daily_3", "other-2"}) {
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), name).status());
        }
        CliRunner pruned = CliRunner.run("snapshots", "-w", ws.toString(), "--prune", "1", "--prefix", "daily_");
        assertEquals(0, pruned.status(), pruned.err());
        assertTrue(pruned.out().contains("Pruned 2: daily_1, daily_2"), pruned.out());
        for (String kept : new String[]{"other-1", "daily_3", "other-2"}) {
            assertTrue(Files.isDirectory(ws.resolve("snapshots").resolve(kept)), kept);
        }
    }

    @Test
    void alteredSnapshotIsRefusedAndNothingChanges() throws Exception {
        Path ws = dir.resolve("demo");
        assertEquals(0, CliRunner.run("demo", ws.toString()).status());
        assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
        Path t1 = ws.resolve("data/tier1.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t1); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE conversations SET title = 'changed after snapshot' WHERE id = 1");
        }
        Path snapFile = ws.resolve("snapshots/pre/tier1.db");
        byte[] bytes = Files.readAllBytes(snapFile);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(snapFile, bytes);
        String before = TestWorkspaces.fileHash(t1);

        CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");

        assertEquals(ErrorCode.SNAPSHOT.exitStatus(), restore.status());
        assertEquals(1, restore.err().strip().lines().count(), restore.err());
        assertTrue(restore.err().contains("altered or damaged"), restore.err());
        assertEquals(before, TestWorkspaces.fileHash(t1));
        assertEquals("changed after snapshot", title(t1));
    }

    @Test
    void missingWorkspaceIsOneLineWithTheWayOut() {
        CliRunner r = CliRunner.run("status", "-w", dir.resolve("nowhere").toString());
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("sluice init"), r.err());
    }
}
