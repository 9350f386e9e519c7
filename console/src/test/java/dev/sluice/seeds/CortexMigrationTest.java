package dev.sluice.seeds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.testing.fixtures.CortexFixtures;
import dev.sluice.tier.Row;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000 (CORTEX 1.0 → 2.0) end to end on real SQLite files, through {@code sluice run}, on two kinds of workspace:
 * the demo ({@link OnTheDemo}) and tiers generated from the document's schemas alone ({@link OnFixturesFromTheDocument},
 * {@link CortexFixtures}: NULLs, unicode, mixed timestamp formats, BLOB payloads, patterns as an FTS5 table, no index on
 * messages(conversation_id)). Each builds its fixture once, runs the migration {@code --yes} once, and copies both for
 * the tests. Both run: the migration to completion with its checks on real counts, a second run that changes nothing,
 * a dry run that changes nothing, and the document's rollback (playbooks/cortex-2-rollback.groovy) then a retry.
 */
class CortexMigrationTest {
    static final Path PLAYBOOK = Path.of("../playbooks/cortex-2-migration.groovy");
    static final Path ROLLBACK = Path.of("../playbooks/cortex-2-rollback.groovy");
    static final Path SCRIPTS = Path.of("../playbooks/cortex-2-migrations");
    static final List<String> TIERS = List.of("tier1", "tier2", "tier3");
    /** Steps of the migration playbook. */
    static final int STEPS = 31;
    /** The document's date minus archiveAfterDays (180), the archive cutoff of a default run. */
    static final LocalDateTime ARCHIVE_BEFORE = LocalDateTime.of(2025, 5, 11, 0, 0);
    static final List<String> V2_TABLES = List.of("migrations", "config", "provenance_links", "retention_snapshots", "health_reports",
            "health_issues", "maintenance_runs", "creation_sessions", "conversation_actions", "plugins", "plugin_hook_executions");

    /** The tests both workspaces get. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Scenario {
        Path shared;
        /** The fixture as built: CORTEX 1.0. */
        Path template;
        /** A copy of the fixture after one {@code --yes} run. */
        Path migrated;
        CliRunner migration;
        long migrationMillis;
        private final AtomicInteger copies = new AtomicInteger();

        abstract void build(Path dir);

        /** Plugins in the workspace's registry config. */
        abstract int plugins();

        @BeforeAll
        void fixture(@TempDir Path dir) {
            shared = dir;
            template = shared.resolve("template");
            build(template);
            migrated = CortexMigrationTest.copy(template, shared.resolve("migrated"));
            long t0 = System.nanoTime();
            migration = run(migrated, "--yes");
            migrationMillis = (System.nanoTime() - t0) / 1_000_000;
        }

        Path copy(String name) {
            return CortexMigrationTest.copy(template, shared.resolve(name + "-" + copies.incrementAndGet()));
        }

        Path copyOf(Path ws, String name) {
            return CortexMigrationTest.copy(ws, shared.resolve(name + "-" + copies.incrementAndGet()));
        }

        @Test
        void yesRunCompletesWithTheDocumentsChecksOnRealCounts() throws Exception {
            Path ws = migrated;
            CliRunner r = migration;
            assertEquals(0, r.status(), r.out() + r.err());
            assertFalse(r.out().contains("✗"), r.out());
            assertTrue(r.out().contains(STEPS + " committed"), r.out());
            System.out.println(getClass().getSimpleName() + ": --yes in " + migrationMillis + " ms; "
                    + r.out().lines().filter(l -> l.contains("committed")).reduce((a, b) -> b).orElse(""));

            // Phase 0: the plan with every tier's fingerprint and what was discovered.
            JsonNode plan = new ObjectMapper().readTree(ws.resolve("migration-plan-2025-11-07.json").toFile());
            assertEquals(3, plan.path("tiers").size());
            assertEquals(count(template, "tier1", "SELECT count(*) FROM conversations"),
                    plan.path("tiers").get(0).path("counts").path("conversations").asLong());
            assertEquals(expectedArchived(template), plan.path("conversations").path("archivable").asLong(), plan.toString());
            assertNotNull(plan.path("discovered").path("searchTerm").textValue(), "a search term found in tier2's own index");

            // [x] Backups present & integrity ok, taken before anything changed: the 1.0 schema, no 2.0 table.
            Path snap = ws.resolve(snapshotsDir(ws)).resolve("pre-migration");
            JsonNode manifest = new ObjectMapper().readTree(snap.resolve("manifest.json").toFile());
            assertEquals(3, manifest.path("files").size(), manifest.toString());
            for (JsonNode f : manifest.path("files")) {
                assertEquals("ok", f.path("integrity").asText(), f.toString());
                for (String t : V2_TABLES) {
                    assertFalse(f.path("counts").has(t), "snapshot taken before the first modification: " + f);
                }
            }
            // All migration scripts applied with their SHA-256 (the document's runner).
            try (Stream<Path> s = Files.list(SCRIPTS)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                    assertEquals(sha256(p), value(ws, "tier1", "SELECT checksum FROM migrations WHERE name = ? AND success = 1",
                            p.getFileName().toString()), p.toString());
                }
            }
            for (String t : V2_TABLES) {
                assertTrue(hasTable(ws, "tier1", t), t);
            }
            // The index the backfills need, on messages(conversation_id).
            assertTrue(count(ws, "tier1", "SELECT count(*) FROM pragma_index_list('messages') l "
                    + "JOIN pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = 'conversation_id'") >= 1);
            // [x] plugins table populated from the registry; health report; self-review.
            assertEquals(plugins(), count(ws, "tier1", "SELECT count(*) FROM plugins"));
            assertTrue(List.of("GOOD", "EXCELLENT").contains(value(ws, "tier1",
                    "SELECT overall_status FROM health_reports WHERE source = 'final' ORDER BY id DESC LIMIT 1")));
            // 1.0 data untouched: every 1.0 table's count as before.
            for (String t : TIERS) {
                for (Map.Entry<String, Long> e : counts(template, t).entrySet()) {
                    long expected = e.getValue() + (e.getKey().equals("archives") ? expectedArchived(template) : 0);
                    assertEquals(expected, count(ws, t, "SELECT count(*) FROM \"" + e.getKey() + "\""), t + "." + e.getKey());
                }
            }
            // Phase 3: last_action_at for every conversation that has a last_updated; at most 50 actions a session.
            assertEquals(0, count(ws, "tier1", "SELECT count(*) FROM conversations WHERE last_action_at IS NULL AND last_updated IS NOT NULL"));
            assertTrue(count(ws, "tier1", "SELECT count(*) FROM conversation_actions WHERE synthetic = 1") > 0);
            assertTrue(count(ws, "tier1", """
                    SELECT max(n) FROM (SELECT count(*) AS n FROM conversation_actions a JOIN conversations c ON c.id = a.conversation_id
                    GROUP BY c.session_id)""") <= 50);
            // Phase 7: exactly the conversations last updated before the cutoff are archived, each with its archive row
            // holding the conversation and all its messages.
            long archived = count(ws, "tier1", "SELECT count(*) FROM conversations WHERE archived = 1");
            assertEquals(expectedArchived(template), archived);
            assertTrue(archived > 0);
            long offset = Long.parseLong((String) value(ws, "tier1", "SELECT value FROM config WHERE key = 'migration.archive_id_offset'"));
            assertEquals(count(template, "tier3", "SELECT coalesce(max(id), 0) FROM archives"), offset);
            Row sample = row(ws, "tier1", "SELECT id, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n "
                    + "FROM conversations c WHERE archived = 1 ORDER BY n DESC, id LIMIT 1");
            long id = ((Number) sample.get("id")).longValue();
            Object payload = value(ws, "tier3", "SELECT payload FROM archives WHERE id = ?", offset + id);
            JsonNode json = new ObjectMapper().readTree(payload instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) payload);
            assertEquals(id, json.path("conversation").path("id").asLong());
            assertEquals(((Number) sample.get("n")).longValue(), json.path("messages").size());
            // Helper tables dropped when the work is complete; the history stays.
            for (String t : TIERS) {
                assertFalse(hasTable(ws, t, "sluice_progress"), t + " keeps no backfill checkpoints");
                assertEquals("ok", value(ws, t, "PRAGMA integrity_check"), t);
            }
            assertTrue(hasTable(ws, "tier1", "sluice_history"));
            assertTrue(Files.isRegularFile(ws.resolve("archive/migration-plan-2025-11-07.json")));
        }

        @Test
        void secondRunChangesNothingAndSaysSo() {
            Path ws = copyOf(migrated, "again");
            String before = state(ws);
            CliRunner again = run(ws, "--yes");
            assertEquals(0, again.status(), again.out() + again.err());
            assertTrue(again.out().contains("Every selected step is already applied; nothing to do."), again.out());
            assertEquals(before, state(ws));
        }

        @Test
        void dryRunLeavesTheTierFilesByteIdentical() throws IOException {
            Path ws = copy("dry");
            Map<String, String> before = fileHashes(ws);
            CliRunner r = run(ws, "--dry-run");
            assertEquals(0, r.status(), r.out() + r.err());
            assertFalse(r.out().contains("✗"), r.out());
            assertTrue(r.out().contains("would snapshot 'pre-migration'") && r.out().contains("would backfill"), r.out());
            assertEquals(before, fileHashes(ws));
            assertFalse(Files.exists(ws.resolve(snapshotsDir(ws)).resolve("pre-migration")), "no snapshot");
            assertFalse(Files.exists(ws.resolve("migration-plan-2025-11-07.json")), "no plan file");
        }

        @Test
        void rollbackRestoresTheOneZeroTiersVerifiedAndARetryCompletesAndPrunesOldSnapshots() throws IOException {
            String schema = schema(template);
            Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
            for (String t : TIERS) {
                counts.put(t, counts(template, t));
            }
            Path ws = copyOf(migrated, "rollback");
            CliRunner back = CliRunner.run("run", ROLLBACK.toString(), "-w", ws.toString(), "--yes");
            assertEquals(0, back.status(), back.out() + back.err());
            assertFalse(back.out().contains("✗"), back.out());
            assertTrue(back.out().contains("Restored 'pre-migration'"), back.out());
            // The document's "re-run baseline verification", checked here too: the 1.0 schema and counts are back.
            assertEquals(schema, schema(ws));
            for (String t : TIERS) {
                assertEquals(counts.get(t), counts(ws, t), t);
                assertFalse(hasTable(ws, t, "migrations"), t);
            }

            // Retry, with the first attempt's snapshot aged to 30 days (outside the 7-day rollback window): the name is
            // taken, so this run's copy is pre-migration-2; phase 7's retention deletes the old one and keeps this one.
            Path old = ws.resolve(snapshotsDir(ws)).resolve("pre-migration/manifest.json");
            Files.writeString(old, Files.readString(old).replaceFirst("\"createdAt\"\\s*:\\s*\"[^\"]+\"",
                    "\"createdAt\":\"" + Instant.now().minusSeconds(30L * 86_400) + "\""));
            CliRunner retry = run(ws, "--yes");
            assertEquals(0, retry.status(), retry.out() + retry.err());
            assertFalse(retry.out().contains("✗"), retry.out());
            assertTrue(retry.out().contains("this run's copy is 'pre-migration-2'"), retry.out());
            assertTrue(Files.isRegularFile(ws.resolve(snapshotsDir(ws)).resolve("pre-migration-2/manifest.json")), "this migration's own snapshot stays");
            assertTrue(retry.out().contains("deleted pre-migration"), retry.out());
            assertFalse(Files.exists(ws.resolve(snapshotsDir(ws)).resolve("pre-migration")), "older than the rollback window: deleted");
            String timestamped = "(?m)^tier\\d\\.(sluice_\\w+|migrations|provenance_links) .*\n";
            assertEquals(state(migrated).replaceAll(timestamped, ""), state(ws).replaceAll(timestamped, ""));
        }

        @Test
        void aMissingTableFailsTheFirstStepListingEveryPreconditionAndWritesNothing() throws IOException {
            Path ws = copy("broken");
            try (Tier t = Tier.open(Workspace.load(ws).tier("tier3"))) {
                t.exec("ALTER TABLE archives RENAME TO archives_old");
            }
            Files.delete(ws.resolve("cortex.config.json"));
            String before = state(ws);
            CliRunner r = run(ws, "--yes");
            // The playbook's requires block refuses the run before anything is written, listing every failure (exit 18).
            assertEquals(18, r.status(), r.out() + r.err());
            String all = r.out() + r.err();
            assertTrue(all.contains("preconditions failed; nothing ran and nothing was written to any tier"), all);
            assertTrue(all.contains("archives"), all);
            assertTrue(all.contains("check 'the 1.0 plugin registry lists plugins'"), all);
            assertFalse(all.contains("conversations'") && all.contains("table tier1, 'conversations'"), all);
            assertEquals(before, state(ws));
            assertFalse(Files.exists(ws.resolve("migration-plan-2025-11-07.json")), "no plan written");
            assertFalse(Files.exists(ws.resolve(snapshotsDir(ws))), "no snapshot");
        }

        // ---- helpers

        /** Conversations whose last_updated (text, ISO 8601 or Unix time) is before the cutoff, read in Java. */
        static long expectedArchived(Path ws) {
            long n = 0;
            try (Tier t = Tier.open(Workspace.load(ws).tier("tier1"))) {
                for (Row r : t.query("SELECT last_updated FROM conversations")) {
                    LocalDateTime at = parse(r.get(0));
                    if (at != null && at.isBefore(ARCHIVE_BEFORE)) {
                        n++;
                    }
                }
            }
            return n;
        }

        static LocalDateTime parse(Object v) {
            if (v == null) {
                return null;
            }
            if (v instanceof Number num) {
                long s = num.longValue() > 100_000_000_000L ? num.longValue() / 1000 : num.longValue();
                return LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC);
            }
            String s = v.toString();
            if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(s.replace(' ', 'T')).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            }
            return LocalDateTime.parse(s.replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        }
    }

    @Nested
    class OnFixturesFromTheDocument extends Scenario {
        /** The demo's counts: a run at 5x (CortexFixtures.Size.DEFAULT) takes about 90 s here, too long for every build. */
        static final CortexFixtures.Size SIZE = CortexFixtures.Size.times(1);

        @Override
        void build(Path dir) {
            CortexFixtures.create(dir, SIZE, 12);
        }

        @Override
        int plugins() {
            return 3;
        }

        @Test
        void theFixtureIsWhatTheDocumentStatesAndNothingMore() {
            try (Tier t1 = Tier.open(Workspace.load(template).tier("tier1"))) {
                assertEquals("wal", t1.query("PRAGMA journal_mode").value());
                assertEquals(List.of("id", "session_id", "title", "last_updated"), t1.columns("conversations").stream().map(c -> c.name()).toList());
                assertEquals(List.of("id", "conversation_id", "role", "content", "created_at"), t1.columns("messages").stream().map(c -> c.name()).toList());
                assertEquals(SIZE.conversations(), t1.count("conversations"));
                assertTrue(t1.count("conversations", "title IS NULL") > 0 && t1.count("messages", "created_at IS NULL") > 0);
                assertTrue(t1.count("conversations", "typeof(last_updated) = 'integer'") > 0, "Unix-time timestamps too");
                assertTrue(t1.indexes("messages").isEmpty(), "nothing indexes messages(conversation_id)");
            }
            assertTrue(count(template, "tier3", "SELECT count(*) FROM archives WHERE typeof(payload) = 'blob'") > 0);
            assertTrue(count(template, "tier2", "SELECT count(*) FROM sqlite_master WHERE name = 'patterns' AND sql LIKE '%fts5%'") == 1);
        }

        /**
         * Issue 13: the migration rehearsed, then applied, gives what a --yes run gives; its rollback, rehearsed too, restores
         * in the sandbox from the live snapshot (linked in) and then on the live tiers. The rehearsals' snapshots, plan
         * file and archive stay in their sandboxes.
         */
        @Test
        void rehearsedMigrationAndRehearsedRollbackDoWhatYesRunsDo() throws IOException {
            Path ws = copy("rehearsed");
            CliRunner r = run(ws, "--rehearse", "--yes");
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("Rehearsal passed (" + STEPS + " steps, "), r.out());
            assertTrue(r.out().contains("Applied as rehearsed: " + STEPS + " step(s)"), r.out());
            String timestamped = "(?m)^tier\\d\\.(sluice_\\w+|migrations|provenance_links) .*\n";
            assertEquals(state(migrated).replaceAll(timestamped, ""), state(ws).replaceAll(timestamped, ""));
            try (Stream<Path> s = Files.list(ws.resolve(snapshotsDir(ws)))) {
                assertEquals(List.of("pre-migration"), s.map(p -> p.getFileName().toString()).toList(), "the live run's snapshot only");
            }

            String schema = schema(template);
            CliRunner back = CliRunner.run("run", ROLLBACK.toString(), "-w", ws.toString(), "--rehearse", "--yes");
            assertEquals(0, back.status(), back.out() + back.err());
            assertTrue(back.out().contains("REHEARSAL │ ") && back.out().contains("Restored 'pre-migration'"), back.out());
            assertTrue(back.out().contains("Applied as rehearsed"), back.out());
            assertEquals(schema, schema(ws), "the 1.0 schema is back on the live tiers");
            for (String t : TIERS) {
                assertEquals(counts(template, t), counts(ws, t), t);
            }
        }
    }

    @Nested
    class OnTheDemo extends Scenario {
        @Override
        void build(Path dir) {
            DemoWorkspace.create(dir);
        }

        @Override
        int plugins() {
            return 3;
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
            Path script = shared.resolve("steps.jsh");
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

    // ---- shared helpers

    static Path copy(Path from, Path target) {
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

    static CliRunner run(Path ws, String... more) {
        String[] a = new String[4 + more.length];
        a[0] = "run";
        a[1] = PLAYBOOK.toString();
        a[2] = "-w";
        a[3] = ws.toString();
        System.arraycopy(more, 0, a, 4, more.length);
        return CliRunner.run(a);
    }

    static String snapshotsDir(Path ws) {
        return Workspace.load(ws).snapshotsDir().getFileName().toString();
    }

    static Object value(Path ws, String tier, String sql, Object... args) {
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            return t.query(sql, args).value();
        }
    }

    static Row row(Path ws, String tier, String sql, Object... args) {
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            return t.query(sql, args).get(0);
        }
    }

    static long count(Path ws, String tier, String sql, Object... args) {
        return ((Number) value(ws, tier, sql, args)).longValue();
    }

    static boolean hasTable(Path ws, String tier, String table) {
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            return t.hasTable(table);
        }
    }

    /** Row counts of every table but Sluice's own. */
    static Map<String, Long> counts(Path ws, String tier) {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Tier t = Tier.open(Workspace.load(ws).tier(tier))) {
            for (String table : t.tables()) {
                if (!table.startsWith("sluice_")) {
                    out.put(table, t.count(table));
                }
            }
        }
        return out;
    }

    static String schema(Path ws) {
        StringBuilder sb = new StringBuilder();
        for (String t : TIERS) {
            sb.append(value(ws, t, "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE tbl_name NOT LIKE 'sluice%' ORDER BY name)"));
        }
        return sb.toString();
    }

    /** Every table's checksum on every tier, Sluice's lock table aside. */
    static String state(Path ws) {
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

    static Map<String, String> fileHashes(Path ws) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : TIERS) {
            out.put(t, TestWorkspaces.fileHash(ws.resolve("data/" + t + ".db")));
        }
        return out;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    static List<Path> journals(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }
}
