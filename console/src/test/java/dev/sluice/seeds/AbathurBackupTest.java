package dev.sluice.seeds;

import static dev.sluice.seeds.AbathurFreshStartTest.freshWorkspace;
import static dev.sluice.seeds.AbathurFreshStartTest.open;
import static dev.sluice.seeds.AbathurFreshStartTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 001, section 5.2: the daily backup playbook (checkpoint, snapshot, retention of 30) and the restore path. */
class AbathurBackupTest {
    static final Path BACKUP = Path.of("../playbooks/abathur-backup.groovy");

    @TempDir
    Path tmp;
    Path ws;

    @BeforeEach
    void freshStart() {
        ws = freshWorkspace(tmp);
        CliRunner r = run(ws, AbathurFreshStartTest.PLAYBOOK, "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
    }

    @Test
    void backupCheckpointsTheWalAndTakesAVerifiedSnapshot() {
        try (Tier t = open(ws)) {
            t.exec("INSERT INTO metrics (metric_name, metric_value) VALUES ('m', 1.5)"); // something in the WAL
        }

        CliRunner r = run(ws, BACKUP, "--yes", "-p", "stamp=2025-10-09");

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("non-transactional action: PRAGMA wal_checkpoint(TRUNCATE) on abathur"), r.out());
        assertTrue(r.out().contains("non-transactional action: snapshot 'abathur_2025-10-09' of abathur"), r.out());
        assertFalse(r.out().contains("✗"), r.out());
        Path copy = ws.resolve("backups/abathur_2025-10-09/abathur.db");
        assertTrue(Files.isRegularFile(copy));
        try (Tier c = Tier.open(new dev.sluice.workspace.TierConfig("copy", "jdbc:sqlite:" + copy, null, null, java.util.Map.of(),
                true, false, false, copy))) {
            assertTrue(c.integrity().ok());
            assertEquals(1, c.count("metrics"));
            assertEquals(3, c.count("memory_entries"));
        }
    }

    @Test
    void retentionKeepsTheNewestThirtyBackupsAndNoOtherSnapshotIsTouched() {
        try (TierSet tiers = TierSet.open(Workspace.load(ws))) {
            Snapshots snaps = new Snapshots(tiers, "test");
            snaps.take("pre-migration", List.of("abathur"));
            for (int day = 1; day <= 31; day++) {
                snaps.take(String.format("abathur_2025-09-%02d", day), List.of("abathur"));
            }
        }
        CliRunner r = run(ws, BACKUP, "--yes", "-p", "stamp=2025-10-31");

        assertEquals(0, r.status(), r.out() + r.err());
        List<String> names = backups();
        assertEquals(30, names.stream().filter(n -> n.startsWith("abathur_")).count(), names.toString());
        assertTrue(names.contains("abathur_2025-10-31"), names.toString());
        assertFalse(names.contains("abathur_2025-09-01") || names.contains("abathur_2025-09-02"), names.toString());
        assertTrue(names.contains("pre-migration"), "a snapshot outside the family stays: " + names);
        assertTrue(r.out().contains("pruned 2: abathur_2025-09-01, abathur_2025-09-02"), r.out());
    }

    @Test
    void everyRunTakesAnotherBackup() {
        assertEquals(0, run(ws, BACKUP, "--yes", "-p", "stamp=day1").status());
        CliRunner second = run(ws, BACKUP, "--yes", "-p", "stamp=day2");

        assertEquals(0, second.status(), second.out() + second.err());
        assertEquals(List.of("abathur_day1", "abathur_day2"), backups());
    }

    @Test
    void dryRunTakesNoSnapshotAndDeletesNone() {
        assertEquals(0, run(ws, BACKUP, "--yes", "-p", "stamp=kept", "-p", "keep=1").status());

        CliRunner r = run(ws, BACKUP, "--dry-run", "-p", "stamp=new", "-p", "keep=0");

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("would prune snapshots named abathur_…, keeping the newest 0"), r.out());
        assertEquals(List.of("abathur_kept"), backups());
    }

    @Test
    void restoreFromABackupBringsADeletedRowBack() {
        assertEquals(0, run(ws, BACKUP, "--yes", "-p", "stamp=2025-10-09").status());
        try (Tier t = open(ws)) {
            t.exec("DELETE FROM memory_entries WHERE key = 'memory_lifecycle_policies'");
            assertEquals(2, t.count("memory_entries"));
        }

        CliRunner r = CliRunner.run("restore", "-w", ws.toString(), "abathur_2025-10-09");

        assertEquals(0, r.status(), r.out() + r.err());
        try (Tier t = open(ws)) {
            assertEquals(1, t.count("memory_entries", "key = 'memory_lifecycle_policies'"));
            assertTrue(t.integrity().ok());
            assertTrue(t.foreignKeyCheck().ok());
            assertEquals("wal", t.query("PRAGMA journal_mode").value(), "the restored database keeps WAL");
        }
        assertTrue(backups().stream().anyMatch(n -> n.startsWith("before-restore-")), "the state before is kept");
    }

    private List<String> backups() {
        try (TierSet tiers = TierSet.open(Workspace.load(ws))) {
            return new Snapshots(tiers, "test").list().stream().map(Snapshot::name).sorted().toList();
        }
    }
}
