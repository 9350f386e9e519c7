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

    // ---------------------------------------------------------------- issue 12: foreign data, restore then rerun

    /** The tuned database (a fresh start plus a row), or one written from the document alone in WAL or rollback-journal mode. */
    enum Data { DEMO, FOREIGN_WAL, FOREIGN_ROLLBACK_JOURNAL }

    @TempDir
    Path foreign;

    private Path workspaceFor(Data data) {
        switch (data) {
            case DEMO -> {
                try (Tier t = open(ws)) {
                    t.exec("INSERT INTO metrics (metric_name, metric_value) VALUES ('m', 1.5)");
                }
                return ws;
            }
            case FOREIGN_WAL -> dev.sluice.testing.fixtures.AbathurFixtures.populated(foreign, 1, true);
            case FOREIGN_ROLLBACK_JOURNAL -> dev.sluice.testing.fixtures.AbathurFixtures.populated(foreign, 1, false);
        }
        return foreign;
    }

    /** Each table's checksum, Sluice's own left out. */
    private static java.util.Map<String, String> state(Path w) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (Tier t = open(w)) {
            for (String table : t.tables()) {
                if (!table.startsWith("sluice_")) {
                    out.put(table, t.checksum(table).sha256());
                }
            }
        }
        return out;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Data.class)
    void backupRestoreThenRerunOnAnyAbathurDatabase(Data data) {
        Path w = workspaceFor(data);
        java.util.Map<String, String> before = state(w);

        CliRunner r = run(w, BACKUP, "--yes", "-p", "stamp=first");
        if (data != Data.DEMO) {
            System.out.println("[AbathurBackup " + data + " --yes] " + r.out().lines().filter(l -> l.contains(" committed, ")).findFirst().orElse("(no summary)"));
        }
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertEquals(before, state(w), "a backup changes no table");
        if (data == Data.FOREIGN_ROLLBACK_JOURNAL) {
            assertTrue(r.out().contains("abathur is not in WAL mode (delete): the checkpoint has nothing to move"), r.out());
        }

        try (Tier t = open(w)) {
            t.exec("DELETE FROM memory_entries WHERE id IN (SELECT id FROM memory_entries ORDER BY id LIMIT 2)");
        }
        assertFalse(before.equals(state(w)));
        CliRunner restore = CliRunner.run("restore", "-w", w.toString(), "abathur_first");
        assertEquals(0, restore.status(), restore.out() + restore.err());
        assertEquals(before, state(w), "restored to the backup");

        CliRunner again = run(w, BACKUP, "--yes", "-p", "stamp=second");
        assertEquals(0, again.status(), again.out() + again.err());
        assertEquals(before, state(w), "a second backup changes nothing either");
        assertTrue(backupsIn(w).containsAll(List.of("abathur_first", "abathur_second")), backupsIn(w).toString());
    }

    private static List<String> backupsIn(Path w) {
        try (TierSet tiers = TierSet.open(Workspace.load(w))) {
            return new Snapshots(tiers, "test").list().stream().map(Snapshot::name).sorted().toList();
        }
    }
}
