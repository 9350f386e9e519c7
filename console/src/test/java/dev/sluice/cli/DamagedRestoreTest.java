package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: 'sluice restore NAME --tier tierN', the way out a damaged tier's message names, works on that damaged tier:
 * the damaged bytes are kept raw, the file is replaced whole from the snapshot, and the workspace works again.
 */
class DamagedRestoreTest {
    @TempDir
    Path tmp;

    private static final Pattern KEPT = Pattern.compile("the damaged bytes are kept in (\\S+\\.db)\\.");

    /** tier1 with 3,000 rows over many pages and tier2 with a few; snapshot 'pre' of both, taken through the CLI. */
    private Path workspaceWithSnapshot(Path dir) {
        Workspace ws = TestWorkspaces.sqlite(dir, "tier1", "tier2");
        try (Tier t = Tier.open(ws.tier("tier1"), true); Tier u = Tier.open(ws.tier("tier2"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                    + "INSERT INTO items (name) SELECT printf('item %d %s', i, hex(randomblob(40))) FROM n;");
            u.script("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\nINSERT INTO notes (body) VALUES ('a'), ('b');");
        }
        CliRunner snap = CliRunner.run("snapshot", "-w", dir.toString(), "pre");
        assertEquals(0, snap.status(), snap.err());
        return dir.resolve("data/tier1.db");
    }

    private static void overwrite(Path file, long at, int length) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[length];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            raf.seek(at);
            raf.write(junk);
        }
    }

    private static Checksum items(Path dir) {
        try (Tier t = Tier.open(Workspace.load(dir).tier("tier1"))) {
            return t.checksum("items");
        }
    }

    /** Restores 'pre' over the damaged tier1 and checks everything a DBA would check afterwards. */
    private void restoreAndCheck(Path dir, Path file, Checksum expected) throws Exception {
        // A stale -wal of the damaged database: it belongs to the damaged file, not to the restored one.
        Path wal = file.resolveSibling("tier1.db-wal");
        Files.write(wal, new byte[]{1, 2, 3, 4});
        String damagedHash = TestWorkspaces.fileHash(file);
        String snapshotHash = TestWorkspaces.fileHash(dir.resolve("snapshots/pre/tier1.db"));
        String tier2Before = TestWorkspaces.fileHash(dir.resolve("data/tier2.db"));

        CliRunner r = CliRunner.run("restore", "-w", dir.toString(), "pre", "--tier", "tier1");
        assertEquals(0, r.status(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().startsWith("Restored 'pre' (tier1); the state before is kept as snapshot 'before-restore-"), r.out());
        Matcher m = KEPT.matcher(r.out());
        assertTrue(m.find(), r.out());
        Path kept = Path.of(m.group(1));
        assertEquals(damagedHash, TestWorkspaces.fileHash(kept), "the damaged bytes are kept where the message says");
        assertTrue(Files.readAllBytes(kept.resolveSibling("tier1.db-wal")).length == 4, "its -wal is kept beside it");
        assertTrue(kept.getParent().getFileName().toString().equals("damaged"), kept.toString());

        assertEquals(snapshotHash, TestWorkspaces.fileHash(file), "the tier file is the snapshot's file");
        assertFalse(Files.exists(wal), "the damaged database's -wal is gone");
        assertEquals(expected, items(dir));
        try (Tier t = Tier.open(Workspace.load(dir).tier("tier1"))) {
            assertTrue(t.integrity().ok(), t.integrity().toString());
        }
        assertEquals(tier2Before, TestWorkspaces.fileHash(dir.resolve("data/tier2.db")), "tier2 was not touched");

        CliRunner list = CliRunner.run("snapshots", "-w", dir.toString());
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("damaged copy kept of tier1"), list.out());

        CliRunner status = CliRunner.run("status", "-w", dir.toString());
        assertEquals(0, status.status(), status.err());
        Path pb = dir.resolve("up.groovy");
        Files.writeString(pb, "playbook 'Up', {\n  tiers 'tier1'\n  step 'rename', {\n    tier1.exec(\"UPDATE items SET name = upper(name) WHERE id <= 10\")\n  }\n}\n");
        CliRunner run = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--yes");
        assertEquals(0, run.status(), run.err());
        try (Tier t = Tier.open(Workspace.load(dir).tier("tier1"))) {
            assertEquals(10L, t.query("SELECT count(*) FROM items WHERE name = upper(name) AND id <= 10").value());
        }
    }

    @Test
    void restoreReplacesATierWhosePage1IsDamagedIssue14() throws Exception {
        for (int from : new int[]{0, 100}) {
            Path dir = Files.createDirectories(tmp.resolve("page1-" + from));
            Path file = workspaceWithSnapshot(dir);
            Checksum expected = items(dir);
            overwrite(file, from, 4096 - from);
            restoreAndCheck(dir, file, expected);
        }
    }

    @Test
    void restoreReplacesATierWithADamagedInnerPageIssue14() throws Exception {
        Path file = workspaceWithSnapshot(tmp);
        Checksum expected = items(tmp);
        long pages = Files.size(file) / 4096;
        overwrite(file, (pages / 2) * 4096, 4096);
        restoreAndCheck(tmp, file, expected);
    }

    @Test
    void restoreOfADamagedTierThatAnotherProcessReadsIsRefusedInOneLineAndReplacesNothing() throws Exception {
        Path file = workspaceWithSnapshot(tmp);
        long pages = Files.size(file) / 4096;
        overwrite(file, (pages / 2) * 4096, 4096);
        String damagedHash = TestWorkspaces.fileHash(file);
        // Another process (the sqlite3 CLI) inside a read transaction: it holds SQLite's SHARED lock on the file.
        Process reader = new ProcessBuilder("sqlite3", file.toString()).redirectErrorStream(true).start();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(reader.getInputStream()));
             var w = new java.io.PrintWriter(reader.getOutputStream(), true)) {
            w.println("BEGIN; SELECT 'holding', count(*) FROM sqlite_schema;");
            String line = in.readLine();
            assertTrue(line != null && line.startsWith("holding"), "the reader holds the file: " + line);
            CliRunner r = CliRunner.run("restore", "-w", tmp.toString(), "pre", "--tier", "tier1");
            assertTrue(r.status() != 0, r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertEquals(damagedHash, TestWorkspaces.fileHash(file), "the tier file is not replaced under a reader");
            w.println("ROLLBACK;");
            w.println(".quit");
        } finally {
            reader.destroy();
            reader.waitFor();
        }
        CliRunner again = CliRunner.run("restore", "-w", tmp.toString(), "pre", "--tier", "tier1");
        assertEquals(0, again.status(), "once the reader left, the restore goes through: " + again.err());
        assertEquals(TestWorkspaces.fileHash(tmp.resolve("snapshots/pre/tier1.db")), TestWorkspaces.fileHash(file));
    }

    @Test
    void restoreInTheConsoleRepairsTheBoundTierInPlaceIssue14() throws Exception {
        Path file = workspaceWithSnapshot(tmp);
        overwrite(file, 0, 4096);
        CliRunner r = CliRunner.run("console", "-w=" + tmp, "--no-journal", "-e", "restore(\"pre\", \"tier1\")", "-e", "tier1.count(\"items\")");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Tier 'tier1' was damaged: its file was replaced"), r.out());
        assertTrue(r.out().strip().endsWith("3,000") || r.out().strip().endsWith("3000"), "the console's tier1 answers after the restore: " + r.out());
        assertEquals(TestWorkspaces.fileHash(tmp.resolve("snapshots/pre/tier1.db")), TestWorkspaces.fileHash(file));
    }

    @Test
    void aDamagedTierWithNoSnapshotIsOneLineAndChangesNothingIssue14() throws Exception {
        Workspace ws = TestWorkspaces.sqlite(tmp, "tier1");
        try (Tier t = Tier.open(ws.tier("tier1"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO items (name) VALUES ('a');");
        }
        Path file = tmp.resolve("data/tier1.db").toAbsolutePath().normalize();
        overwrite(file, 0, 4096);
        String before = TestWorkspaces.fileHash(file);

        CliRunner r = CliRunner.run("restore", "-w", tmp.toString(), "pre", "--tier", "tier1");
        assertEquals(ErrorCode.SNAPSHOT.exitStatus(), r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("error: No snapshot 'pre' in " + tmp.resolve("snapshots").toAbsolutePath().normalize() + " (there are none), so nothing "
                + "was restored. Tier 'tier1' (" + file + ") is damaged and was left as it is; salvage what is readable with sqlite3 '" + file
                + "' .recover, or restore it from a backup of your own.", r.err().strip());
        assertEquals(before, TestWorkspaces.fileHash(file));
        assertFalse(Files.exists(tmp.resolve("snapshots")) && Files.list(tmp.resolve("snapshots")).findAny().isPresent(),
                "no before-restore snapshot was written");

        CliRunner list = CliRunner.run("snapshots", "-w", tmp.toString());
        assertEquals(0, list.status(), "listing snapshots is not refused by a damaged tier: " + list.err());
    }
}
