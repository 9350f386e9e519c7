package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.history.History;
import dev.sluice.history.HistoryEntry;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 5: nothing of Sluice's is written to a tier configured {@code readOnly} (tier2 in WAL mode, tier3 in
 * rollback-journal mode): no history, no migrations table, no backfill checkpoint, no lock, no -wal/-shm left beside it.
 */
class ReadOnlyTierTest {
    @TempDir
    Path dir;
    Workspace ws;

    @BeforeEach
    void workspace() throws IOException {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        specs.put("tier1", TierSpec.of("data/tier1.db"));
        for (String t : new String[]{"tier2", "tier3"}) {
            specs.put(t, TierSpec.create(null, "data/" + t + ".db", null, null, Map.of(), true, false, false));
        }
        Workspace.write(dir, new Workspace.File(specs, "snapshots", "sessions"));
        Workspace plain = TestWorkspaces.sqlite(dir.resolve("setup"), "tier1", "tier2", "tier3");
        Files.createDirectories(dir.resolve("data"));
        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            try (Tier tier = Tier.open(plain.tier(t), true)) {
                tier.script((t.equals("tier2") ? "PRAGMA journal_mode = WAL;\n" : "")
                        + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
            }
            Files.copy(dir.resolve("setup/data/" + t + ".db"), dir.resolve("data/" + t + ".db"));
        }
        Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(dir.resolve("migrations/001_tags.sql"), "CREATE TABLE tags (id INTEGER PRIMARY KEY, tag TEXT);\n");
        ws = Workspace.load(dir);
    }

    /**
     * SHA-256 of the read-only tiers' files, and every file beside them (a -journal would show here). Not done: SQLite
     * itself leaves an empty -wal and a -shm beside a WAL-mode file that a read-only connection opened (it may create
     * them, not delete them); they hold none of Sluice's state, and are left out for tier2 (README, "Preconditions").
     */
    private Map<String, String> readOnlyState() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir.resolve("data"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("tier1") && !n.equals("tier2.db-wal") && !n.equals("tier2.db-shm"))
                    .forEach(n -> out.put(n, TestWorkspaces.fileHash(dir.resolve("data").resolve(n))));
        }
        return out;
    }

    private Path playbook(String text) throws IOException {
        Path p = dir.resolve("pb.groovy");
        Files.writeString(p, text);
        return p;
    }

    private long sluiceTables(String tier) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return ((Number) t.query("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sluice%'").value()).longValue();
        }
    }

    @Test
    void aFullRunReadingReadOnlyTiersWritesNothingIntoThem() throws IOException {
        Map<String, String> before = readOnlyState();
        assertEquals(2, before.size(), before.toString());
        Path pb = playbook("""
                playbook 'Reads two read-only tiers', {
                    tiers 'tier2', 'tier3', 'tier1'
                    requires {
                        table tier2, 'items'
                        journalMode tier2, 'wal'
                        check('sources are read-only') { !tier2.writable() && !tier3.writable() }
                    }
                    step 'copy', {
                        tier1.exec("INSERT INTO items (name) SELECT 'from tier2 ' || ? FROM items WHERE id = 1", tier2.count('items'))
                    }
                    step 'migrate', {
                        migrate tier1, '%s'
                        migrate tier2, '%s'
                    }
                    step 'backfill', {
                        backfill tier1, "UPDATE items SET name = name || '!' WHERE id BETWEEN :lo AND :hi"
                    }
                }
                """.formatted(dir.resolve("migrations"), dir.resolve("empty")));
        Files.createDirectories(dir.resolve("empty"));
        for (String mode : new String[]{"--dry-run", "--yes"}) {
            CliRunner r = CliRunner.run("run", pb.toString(), "-w", dir.toString(), mode);
            assertEquals(0, r.status(), mode + ": " + r.out() + r.err());
            assertEquals(before, readOnlyState(), mode + ": read-only tier files byte-identical, nothing beside them");
        }
        assertEquals(0, sluiceTables("tier2"));
        assertEquals(0, sluiceTables("tier3"));
        try (Tier t = Tier.open(ws.tier("tier1"))) {
            assertEquals(3L, t.count("sluice_history"), "history stays, on the writable tier");
            assertTrue(!t.hasTable("sluice_progress"), "the backfill completed: its helper table is gone");
        }
    }

    @Test
    void migrationsAndBackfillOnAReadOnlyTierAreRefusedInOneLineAndChangeNothing() throws IOException {
        Map<String, String> before = readOnlyState();
        Path pb = playbook("""
                playbook 'Writes a read-only tier', {
                    tiers 'tier1', 'tier2'
                    step 'migrate', { migrate tier2, '%s' }
                }
                """.formatted(dir.resolve("migrations")));
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--yes");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Tier 'tier2' is read-only; refused to apply 1 migration(s)"), r.out());
        Path bf = playbook("""
                playbook 'Backfills a read-only tier', {
                    tiers 'tier1', 'tier3'
                    step 'backfill', { backfill tier3, "UPDATE items SET name = 'x' WHERE id BETWEEN :lo AND :hi" }
                }
                """);
        CliRunner b = CliRunner.run("run", bf.toString(), "-w", dir.toString(), "--yes");
        assertEquals(ErrorCode.USAGE.exitStatus(), b.status(), b.out() + b.err());
        assertTrue(b.out().contains("Tier 'tier3' is read-only; refused to backfill it."), b.out());
        assertEquals(before, readOnlyState());
        assertEquals(0, sluiceTables("tier2"));
        assertEquals(0, sluiceTables("tier3"));
    }

    @Test
    void historyIsNeverRecordedOnAReadOnlyTier() throws IOException {
        Map<String, String> before = readOnlyState();
        try (Tier t = Tier.open(ws.tier("tier3"))) {
            SluiceException e = assertThrows(SluiceException.class, () -> History.record(t, new HistoryEntry(0, "pb", "s", "c",
                    HistoryEntry.APPLIED, "u", "h", null, 0, 0, "{}", "{}", "r")));
            assertTrue(e.getMessage().startsWith("Tier 'tier3' is read-only: no history row is written there."), e.getMessage());
        }
        assertEquals(before, readOnlyState());
    }
}
