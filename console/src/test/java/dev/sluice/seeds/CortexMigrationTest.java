package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000 (CORTEX 1.0 → 2.0) end to end on real SQLite files: the demo workspace (CORTEX 1.0's tier1 conversations and
 * messages, tier2 patterns with FTS5, tier3 archives) plus the 1.0 plugin registry the document reads plugins from, the
 * playbook run through {@code sluice run}. The fixture is built once and copied for each test.
 */
class CortexMigrationTest {
    static final Path PLAYBOOK = Path.of("../playbooks/cortex-2-migration.groovy");
    static final Path SCRIPTS = Path.of("../playbooks/cortex-2-migrations");
    static final String REGISTRY = """
            {"plugins": [
              {"name": "boundary-guard", "version": "1.4.0", "entry_point": "cortex.plugins.boundary:Guard", "hooks": ["before_write"]},
              {"name": "self-review", "version": "2.0.0", "entry_point": "cortex.plugins.review:SelfReview", "hooks": ["daily"]},
              {"name": "doc-refresh", "version": "1.1.2", "entry_point": "cortex.plugins.docs:Refresh", "hooks": ["on_conversation_end"],
               "enabled": false}
            ]}
            """;
    static final List<String> TIERS = List.of("tier1", "tier2", "tier3");

    @TempDir
    static Path shared;
    /** The fixture as built: CORTEX 1.0. */
    static Path template;
    /** A copy of the fixture after one {@code --yes} run (the run costs ~20 s, so the tests that need it share it). */
    static Path migrated;
    static CliRunner migration;

    @TempDir
    Path dir;

    @BeforeAll
    static void fixture() throws IOException {
        template = shared.resolve("template");
        DemoWorkspace.create(template);
        Files.writeString(template.resolve("cortex.config.json"), REGISTRY);
        migrated = copy(template, shared.resolve("migrated"));
        migration = run(migrated, "--yes");
    }

    private Path copy(String name) {
        return copy(template, dir.resolve(name));
    }

    private static Path copy(Path from, Path target) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path to = target.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static CliRunner run(Path ws, String... more) {
        String[] a = new String[4 + more.length];
        a[0] = "run";
        a[1] = PLAYBOOK.toString();
        a[2] = "-w";
        a[3] = ws.toString();
        System.arraycopy(more, 0, a, 4, more.length);
        return CliRunner.run(a);
    }

    private static Object value(Path ws, String tier, String sql, Object... args) {
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            return t.query(sql, args).value();
        }
    }

    private static long count(Path ws, String tier, String sql, Object... args) {
        return ((Number) value(ws, tier, sql, args)).longValue();
    }

    private static boolean hasTable(Path ws, String tier, String table) {
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            return t.hasTable(table);
        }
    }

    /** Every table's checksum on every tier, Sluice's lock table aside. */
    private static String state(Path ws) {
        StringBuilder sb = new StringBuilder();
        for (String name : TIERS) {
            try (Tier t = Tier.open(Workspace.load(ws).tier(name))) {
                for (String table : t.tables()) {
                    if (!table.equals("sluice_lock")) {
                        sb.append(name).append('.').append(table).append(' ').append(t.checksum(table).sha256()).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static Map<String, String> fileHashes(Path ws) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : TIERS) {
            out.put(t, TestWorkspaces.fileHash(ws.resolve("data/" + t + ".db")));
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<Path> journals(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void yesRunMeetsTheDocumentsSuccessCriteriaAndQuickChecklist() throws Exception {
        Path ws = migrated;
        CliRunner r = migration;
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());

        // Phase 0: the plan file with every tier's fingerprint.
        JsonNode plan = new ObjectMapper().readTree(ws.resolve("migration-plan-2025-11-07.json").toFile());
        assertEquals(3, plan.path("tiers").size());
        for (JsonNode fp : plan.path("tiers")) {
            assertTrue(fp.path("schemaSha256").asText().matches("[0-9a-f]{64}"), fp.toString());
            assertTrue(fp.path("fileBytes").asLong() > 0 && fp.path("engineVersion").asText().startsWith("3."), fp.toString());
            assertEquals("wal", fp.path("journalMode").asText());
        }
        assertEquals(DemoWorkspace.CONVERSATIONS, plan.path("tiers").get(0).path("counts").path("conversations").asLong());
        assertTrue(plan.path("conversations").path("active").asLong() > 0, plan.toString());

        // [x] Backups present & integrity ok.
        JsonNode manifest = new ObjectMapper().readTree(ws.resolve("snapshots/pre-migration/manifest.json").toFile());
        assertEquals(3, manifest.path("files").size(), manifest.toString());
        for (JsonNode f : manifest.path("files")) {
            assertEquals("ok", f.path("integrity").asText(), f.toString());
            assertTrue(Files.isRegularFile(ws.resolve("snapshots/pre-migration").resolve(f.path("file").asText())), f.toString());
        }
        // Phase 1: MIGRATION_START on every tier.
        for (String t : TIERS) {
            assertEquals(1, count(ws, t, "SELECT count(*) FROM migrations WHERE name = 'MIGRATION_START' AND success = 1"), t);
        }
        // [x] All migration scripts applied successfully, each with the SHA-256 of its text (the document's runner).
        try (Stream<Path> s = Files.list(SCRIPTS)) {
            List<Path> scripts = s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
            assertEquals(6, scripts.size());
            for (Path p : scripts) {
                assertEquals(sha256(p), value(ws, "tier1", "SELECT checksum FROM migrations WHERE name = ? AND success = 1",
                        p.getFileName().toString()), p.toString());
            }
        }
        assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM migrations WHERE success = 0"));
        // [x] New indices visible (sqlite_master); the new columns.
        assertEquals(1, count(ws, "tier1", "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_conversations_active'"));
        for (String c : List.of("task_status", "archived", "last_action_at")) {
            assertEquals(1, count(ws, "tier1", "SELECT count(*) FROM pragma_table_info('conversations') WHERE name = ?", c), c);
        }
        // [x] health_reports has >= 1 row; self-review GOOD or better; no critical issue.
        assertTrue(count(ws, "tier1", "SELECT count(*) FROM health_reports") >= 1);
        assertTrue(List.of("GOOD", "EXCELLENT").contains(value(ws, "tier1",
                "SELECT overall_status FROM health_reports WHERE source = 'self_review' ORDER BY id DESC LIMIT 1")));
        assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM health_issues WHERE severity = 'critical'"));
        // [x] plugins table populated (from the registry config).
        assertEquals(3, count(ws, "tier1", "SELECT count(*) FROM plugins"));
        assertEquals(0, count(ws, "tier1", "SELECT enabled FROM plugins WHERE name = 'doc-refresh'"));
        // [x] maintenance schedule returns a plan.
        assertTrue(count(ws, "tier1", "SELECT count(*) FROM maintenance_runs WHERE mode = 'dry_run'") >= 1);
        // [x] conversations still accessible, count unchanged; messages, patterns untouched.
        assertEquals(DemoWorkspace.CONVERSATIONS, count(ws, "tier1", "SELECT count(*) FROM conversations"));
        assertEquals((long) DemoWorkspace.CONVERSATIONS * DemoWorkspace.MESSAGES_PER_CONVERSATION, count(ws, "tier1", "SELECT count(*) FROM messages"));
        assertEquals(DemoWorkspace.PATTERNS, count(ws, "tier2", "SELECT count(*) FROM patterns"));
        // Phase 3: the backfills, under 1,000 rows a batch; the provenance link exactly as in the document.
        assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM conversations WHERE last_action_at IS NULL"));
        assertTrue(count(ws, "tier1", "SELECT count(*) FROM conversation_actions WHERE synthetic = 1") > 0);
        assertTrue(count(ws, "tier1", """
                SELECT max(n) FROM (SELECT count(*) AS n FROM conversation_actions a JOIN conversations c ON c.id = a.conversation_id
                GROUP BY c.session_id)""") <= 50);
        assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_progress'"),
                "the backfills completed: their helper table is dropped, as the document drops helper tables (issue 12, point 5)");
        assertEquals("migration|MIGRATION_START|system|schema_v2|generated|1.0", value(ws, "tier1",
                "SELECT source_type || '|' || source_ref || '|' || target_type || '|' || target_ref || '|' || relation || '|' || confidence FROM provenance_links"));
        assertEquals(3, count(ws, "tier1", "SELECT count(*) FROM retention_snapshots"));
        // Phase 5: the six features in the document's order, as config rows.
        assertEquals("active", value(ws, "tier1", "SELECT value FROM config WHERE key = 'maintenance.mode'"));
        assertEquals(4, count(ws, "tier1", "SELECT count(*) FROM config WHERE value = 'on'"));
        // Phase 7: retention — old conversations archived into tier3, kept (marked) in tier1; the plan archived.
        long archived = count(ws, "tier1", "SELECT count(*) FROM conversations WHERE archived = 1");
        assertTrue(archived > 0, "some conversations are older than 180 days");
        assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM conversations WHERE archived = 0 AND last_updated < '2025-05-11 00:00:00'"));
        assertEquals(DemoWorkspace.ARCHIVES + archived, count(ws, "tier3", "SELECT count(*) FROM archives"));
        assertEquals(12, count(ws, "tier3", "SELECT json_array_length(CAST(payload AS TEXT), '$.messages') FROM archives WHERE archived_at = '2025-11-07 00:00:00' LIMIT 1"));
        assertTrue(Files.isRegularFile(ws.resolve("archive/migration-plan-2025-11-07.json")));
        // Every step is in the history, and the tiers pass their checks.
        assertTrue(r.out().contains("27 committed"), r.out());
        for (String t : TIERS) {
            assertEquals("ok", value(ws, t, "PRAGMA integrity_check"), t);
        }
    }

    @Test
    void secondRunChangesNothingAndSaysSo() {
        Path ws = copy(migrated, dir.resolve("ws"));
        String before = state(ws);
        CliRunner again = run(ws, "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("Every selected step is already applied; nothing to do."), again.out());
        assertEquals(before, state(ws));
    }

    @Test
    void dryRunLeavesTheTierFilesByteIdentical() throws IOException {
        Path ws = copy("ws");
        Map<String, String> before = fileHashes(ws);
        CliRunner r = run(ws, "--dry-run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertFalse(r.out().contains("✗"), r.out());
        assertTrue(r.out().contains("would snapshot 'pre-migration'") && r.out().contains("would backfill"), r.out());
        assertEquals(before, fileHashes(ws));
        assertFalse(Files.exists(ws.resolve("snapshots/pre-migration")), "no snapshot");
        assertFalse(Files.exists(ws.resolve("migration-plan-2025-11-07.json")), "no plan file");
        assertFalse(Files.exists(ws.resolve("archive")), "nothing archived");
        assertEquals(1, journals(ws).size(), "only the journal folder appears");
    }

    @Test
    void restoringPreMigrationBringsTheOneZeroSchemaBack() {
        String schema = (String) value(template, "tier1", "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE tbl_name NOT LIKE 'sluice%' ORDER BY name)");
        Path ws = copy(migrated, dir.resolve("ws"));
        assertTrue(hasTable(ws, "tier1", "health_reports"));
        CliRunner r = CliRunner.run("restore", "pre-migration", "-w", ws.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(schema, value(ws, "tier1", "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE tbl_name NOT LIKE 'sluice%' ORDER BY name)"));
        for (String t : TIERS) {
            assertFalse(hasTable(ws, t, "migrations"), t);
        }
        assertEquals(DemoWorkspace.ARCHIVES, count(ws, "tier3", "SELECT count(*) FROM archives"));
        assertEquals(DemoWorkspace.CONVERSATIONS, count(ws, "tier1", "SELECT count(*) FROM conversations"));
    }

    @Test
    void theRunsJournalReplaysCleanlyOnAFreshCopy() throws IOException {
        Path fresh = copy("fresh"); // the fixture as it was before the run
        Path ws = migrated;
        List<Path> recorded = journals(ws);
        assertEquals(1, recorded.size());
        CliRunner r = CliRunner.run("replay", "-w", fresh.toString(), recorded.get(0).toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched"), r.out());
        // Same data on both, except what the document timestamps with CURRENT_TIMESTAMP and Sluice's bookkeeping.
        String timestamped = "(?m)^tier\\d\\.(sluice_\\w+|migrations|provenance_links) .*\n";
        assertEquals(state(ws).replaceAll(timestamped, ""), state(fresh).replaceAll(timestamped, ""));
        assertTrue(state(fresh).contains("tier1.conversation_actions"));
    }

    @Test
    void anEditedAppliedScriptIsRefusedAndChangesNothing() throws IOException {
        Path ws = copy("ws");
        Path playbooks = ws.resolve("playbooks");
        Files.createDirectories(playbooks.resolve("cortex-2-migrations"));
        Files.copy(PLAYBOOK, playbooks.resolve("cortex-2-migration.groovy"));
        try (Stream<Path> s = Files.list(SCRIPTS)) {
            for (Path p : s.toList()) {
                Files.copy(p, playbooks.resolve("cortex-2-migrations").resolve(p.getFileName().toString()));
            }
        }
        Path pb = playbooks.resolve("cortex-2-migration.groovy");
        assertEquals(0, CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--yes", "--stop-after", "phase 2: 001 core tables").status());
        // Forget the step's history row so the script itself is what guards it (a re-applied group, say after a repair).
        try (Tier t = Tier.open(Workspace.load(ws).tier("tier1"))) {
            t.exec("DELETE FROM sluice_history WHERE step = 'phase 2: 001 core tables'");
        }
        Path script = playbooks.resolve("cortex-2-migrations/2025-11-07_001_core_tables.sql");
        Files.writeString(script, Files.readString(script).replace("COMMIT;", "CREATE TABLE IF NOT EXISTS extra (id INTEGER);\nCOMMIT;"));
        String before = state(ws);
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--yes");
        assertNotEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("Migration 2025-11-07_001_core_tables.sql changed since it was applied to tier 'tier1'"), r.out());
        assertEquals(before, state(ws));
    }

    @Test
    void consoleStepsThroughTheFirstStepsWithNextAndCommit() throws IOException {
        Path ws = copy("ws");
        Path script = dir.resolve("steps.jsh");
        Files.writeString(script, """
                /run %s
                /next
                /commit
                /next
                y
                /commit
                /next
                y
                tier1.count("migrations")
                /commit
                /status
                """.formatted(PLAYBOOK.toAbsolutePath()), StandardCharsets.UTF_8);
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-f", script.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(Files.isRegularFile(ws.resolve("migration-plan-2025-11-07.json")), r.out());
        assertTrue(Files.isRegularFile(ws.resolve("snapshots/pre-migration/manifest.json")), r.out());
        assertEquals(1, count(ws, "tier2", "SELECT count(*) FROM migrations WHERE name = 'MIGRATION_START'"));
        assertEquals(3, count(ws, "tier1", "SELECT count(*) FROM sluice_history"));
        assertTrue(r.out().contains("next: 'phase 2: 001 core tables'"), r.out());
    }
}
