// CORTEX 1.0 -> 2.0: the hybrid, incremental migration of seed 000 (../shared/seeds/000_…, "CORTEX 2.0 Migration
// Strategy", 12-migration-strategy.md 2.0.0-alpha), phases 0 to 7 as steps, each phase's checks as expectations.
// Tier names: tier1 (conversations, messages), tier2 (patterns + FTS5), tier3 (archives).
//
// Pointing a workspace at a real CORTEX 1.0 installation:
//   sluice init -w cortex --tier tier1=/path/to/tier1.db --tier tier2=/path/to/tier2.db --tier tier3=/path/to/tier3.db \
//               --snapshots backups
//   cp /path/to/cortex/plugins.json cortex/cortex.config.json     # the 1.0 plugin registry: {"plugins": [{name, version, …}]}
//   sluice run playbooks/cortex-2-migration.groovy -w cortex --dry-run
//   sluice run playbooks/cortex-2-migration.groovy -w cortex -p date=$(date +%F)      (step by step; or --yes)
// With "snapshots": "backups" the pre-migration copies are the document's backups/pre-migration/*.db. Files: the plan
// (-p planFile, default migration-plan-{DATE}.json in the workspace), the 1.0 plugin registry (-p registryConfig), the
// migration scripts (-p migrationsDir, default cortex-2-migrations beside this playbook), the archived plan (-p archiveDir).
// `date` (default the document's 2025-11-07) is the migration's "today": plan file name, activity and retention cutoffs,
// seeded timestamps. It is a parameter so a run is deterministic and its journal replays.
// Rolling back (the document's "Restore DB files from backups/pre-migration/"): sluice restore pre-migration -w cortex
// (verified against its manifest first; the current state is kept as a snapshot, so nothing is lost).
//
// Phases:
//   0  the environment fingerprint (every tier's fingerprint(): sizes, counts, schema hash, journal mode, engine version),
//      backup capacity (>= 2x total size), active conversations, backfill estimates -> migration-plan-{DATE}.json;
//   1  snapshot 'pre-migration' of all three tiers (integrity-checked copies); then freeze writers, integrity_check
//      == ok per tier, the document's `migrations` table in every tier and its MIGRATION_START record;
//   2  the scripts of cortex-2-migrations/ (the document's 2025-11-07_00N_*.sql naming, lexical order), one step per
//      logical group, each recorded in tier1's `migrations` (name, SHA-256 of the script, success) as the document's
//      runner does; an edited applied script is refused; ALTER TABLE … ADD COLUMN runs only if the column is absent;
//   3  plugins from the registry config, a baseline self-review, two resumable backfills (conversations.last_action_at
//      in batches of `batchRows`; conversation_actions for the last `lastTurns` turns per active session, batched so
//      no transaction exceeds 999 rows), each batch capped at 5 s; the retention snapshot per tier; the provenance link
//      exactly as the document's SQL; creation_sessions left empty (nothing to resume);
//   4  schema presence, unchanged counts against the pre-migration snapshot, integrity and foreign_key_check, the
//      document's SQL bundle, the latency smoke (tier1 typical query < 100 ms, tier2 FTS5 search < 200 ms), a self-review
//      (GOOD or better, no critical issue, score within 5 points of the baseline) and a maintenance dry-run plan;
//   5  the six features on one at a time as rows of `config`, in the document's order, each gated by the rollback
//      triggers that can be checked then (plugin failures <= 5%, no CRITICAL self-review);
//   6  opens the 7-day monitoring window (its end date in `config`); the monitoring itself is outside a playbook;
//   7  retention: plugin hook executions older than 30 days deleted; conversations inactive for `archiveAfterDays`
//      copied into tier3 `archives` (JSON of the conversation and its messages) and marked archived = 1 in tier1 (rows
//      kept: the document preserves conversations); a final self-review; the plan archived in `archiveDir`.
//
// What is ours, not the document's (it refers to 11-database-schema-updates.md, which we do not have):
// - the columns of health_reports, health_issues, plugins, plugin_hook_executions, conversation_actions,
//   maintenance_runs, creation_sessions, config and retention_snapshots (each script says so); the 2.0 tables all live
//   in tier1, next to the conversations they describe; tier2 and tier3 get the `migrations` table and MIGRATION_START;
// - the self-review: a score from checks Sluice can make (integrity, foreign keys, schema presence, plugins registered)
//   mapped to EXCELLENT/GOOD/FAIR/POOR/CRITICAL; the maintenance plan: VACUUM when a tier's free pages exceed 10%;
// - the plugin registry format (cortex.config.json: {"plugins": [{"name", "version", "entry_point", "hooks", "enabled"}]});
// - the 005 script groups the document's ALTERs with conversation_actions; its example puts them with health_reports.
// Not expressible faithfully, and what happens instead:
// - "Freeze writers": freeze() holds each tier's write lock until its step ends; a commit releases it, so the freeze
//   cannot span phases 1-2 as the document's "writes resumed after Phase 2" wants. Pause the application's writers
//   yourself (the document's "announce freeze") for the run; phase 1's step holds the lock while it checks and stamps.
// - "On DDL failure … record success=0": a failed step rolls back every tier, the migrations row included, so a failure
//   leaves no row; it is in the run's output and journal instead (the document's "ROLLBACK automatically" holds).
// - Not done here: logical .dump exports (optional in the document; `sluice snapshot` + `dump` do it), the 1.0 test
//   suite, the boundary guard checks, phase 6's 7 days of monitoring, compressing archival batches, the app's caches.
// - "Conversation access latency within ±10% of baseline" is measured (phase 0 and 4, printed) but not gated: on small
//   files the timings are sub-millisecond noise.
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.SerializationFeature
import dev.sluice.error.ErrorCode
import dev.sluice.error.SluiceException
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.security.MessageDigest

playbook 'CORTEX 1.0 -> 2.0 migration (seed 000)', {
    description 'Fingerprints, snapshots and freezes the three CORTEX tiers, applies the 2.0 schema in checksummed groups, ' +
            'backfills in capped batches, seeds plugins, health report and provenance, verifies, enables the 2.0 features ' +
            'one at a time and enforces retention.'
    tiers 'tier1', 'tier2', 'tier3'
    param 'date', '2025-11-07'
    param 'planFile', 'migration-plan-{DATE}.json'
    param 'migrationsDir', 'cortex-2-migrations'
    param 'registryConfig', 'cortex.config.json'
    param 'cortexCommit', 'unknown'
    param 'activeDays', 90
    param 'lastTurns', 50
    param 'batchRows', 500
    param 'archiveAfterDays', 180
    param 'hookRetentionDays', 30
    param 'archiveDir', 'archive'
    param 'patternQuery', 'migration'

    // ---------------------------------------------------------------- phase 0: assessment and planning

    step 'phase 0: environment fingerprint and migration plan', {
        checkDate(date)
        def fps = [tier1.fingerprint(), tier2.fingerprint(), tier3.fingerprint()]
        long total = fps.sum { it.fileBytes() ?: 0L }
        def backups = workspace.snapshotsDir()
        def probe = backups
        while (!Files.exists(probe)) { probe = probe.parent }
        long usable = Files.getFileStore(probe).usableSpace
        long active = tier1.count('conversations', 'last_updated >= ?', cutoff(date, activeDays))
        long activeSessions = tier1.query('SELECT count(DISTINCT session_id) FROM conversations WHERE last_updated >= ?',
                cutoff(date, activeDays)).value() as long
        def latency = [tier1TypicalQueryMs: bestOf { tier1.query(typicalQuery(false)) },
                       tier2PatternSearchMs: bestOf { tier2.query(patternSearch(), patternQuery) }]
        def plan = [document       : '12-migration-strategy.md 2.0.0-alpha (seed 000)', date: date, cortexCommit: cortexCommit,
                    tiers          : fps,
                    totalBytes     : total,
                    backupLocation : [path: backups.toString(), usableBytes: usable, neededBytes: 2 * total],
                    conversations  : [total: tier1.count('conversations'), active: active, activeSessions: activeSessions,
                                      activeSince: cutoff(date, activeDays)],
                    baselineLatency: latency,
                    estimates      : [lastActionBackfill: [rows: tier1.count('conversations'), batchRows: batchRows,
                                                           batches: Math.ceil(tier1.count('conversations') / batchRows) as long],
                                      conversationActions: [sessions: activeSessions, maxRows: activeSessions * lastTurns,
                                                            sessionsPerBatch: sessionsPerBatch(lastTurns)]]]
        String json = JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(plan)
        def out = planPath(workspace, planFile, date)
        if (dryRun) {
            note "dry run: would write $out (${json.length()} bytes)"
        } else {
            Files.createDirectories(out.parent)
            Files.writeString(out, json)
            note "wrote $out: ${fps.collect { it.toString() }.join('; ')}"
        }
        note "baseline latency: tier1 typical query ${latency.tier1TypicalQueryMs} ms, tier2 pattern search ${latency.tier2PatternSearchMs} ms"
        expect('the CORTEX 1.0 tables are there (conversations, messages, patterns + FTS5, archives)') {
            tier1.hasTable('conversations') && tier1.hasTable('messages') && tier2.hasTable('patterns') &&
                    tier2.hasTable('patterns_fts') && tier3.hasTable('archives')
        }
        expect('backup location has at least 2x the total size free') { usable >= 2 * total }
        expect("plan written to ${out.fileName}") { dryRun || Files.size(out) > 0 }
    }

    // ---------------------------------------------------------------- phase 1: snapshot and freeze

    step 'phase 1: snapshot every tier (pre-migration)', {
        def s = snapshot('pre-migration')
        expect('backups complete: tier1, tier2 and tier3 copied') { dryRun || s.files()*.tier().toSet() == ['tier1', 'tier2', 'tier3'].toSet() }
        expect('every copy passes integrity_check') { dryRun || s.files().every { it.integrity() == 'ok' } }
    }

    step 'phase 1: freeze writers, integrity_check, MIGRATION_START', {
        freeze tier1, tier2, tier3
        [tier1, tier2, tier3].each { t -> expect("integrity_check on ${t.name()} is ok") { t.integrity().ok() } }
        [tier1, tier2, tier3].each { t ->
            String schema = t.fingerprint().schemaSha256()   // the 1.0 schema, before the tracking table exists
            createTable t, MIGRATIONS_DDL
            t.exec('''INSERT INTO migrations (name, checksum, success)
                      SELECT 'MIGRATION_START', ?, 1 WHERE NOT EXISTS (SELECT 1 FROM migrations WHERE name = 'MIGRATION_START')''', schema)
        }
        expect('MIGRATION_START recorded in every tier') {
            [tier1, tier2, tier3].every { it.count('migrations', "name = 'MIGRATION_START' AND success = 1") == 1 }
        }
    }

    // ---------------------------------------------------------------- phase 2: schema evolution, one group per step

    step 'phase 2: 001 core tables', {
        applyScript(tier1, file("$migrationsDir/2025-11-07_001_core_tables.sql"))
        expect('config, provenance_links and retention_snapshots exist') {
            ['config', 'provenance_links', 'retention_snapshots'].every { tier1.hasTable(it) }
        }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_001_core_tables.sql') }
    }

    step 'phase 2: 002 self-review tables', {
        applyScript(tier1, file("$migrationsDir/2025-11-07_002_self_review.sql"))
        expect('health_reports and health_issues exist') { tier1.hasTable('health_reports') && tier1.hasTable('health_issues') }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_002_self_review.sql') }
    }

    step 'phase 2: 003 maintenance', {
        applyScript(tier1, file("$migrationsDir/2025-11-07_003_maintenance.sql"))
        expect('maintenance_runs exists') { tier1.hasTable('maintenance_runs') }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_003_maintenance.sql') }
    }

    step 'phase 2: 004 incremental creation', {
        applyScript(tier1, file("$migrationsDir/2025-11-07_004_incremental_creation.sql"))
        expect('creation_sessions exists') { tier1.hasTable('creation_sessions') }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_004_incremental_creation.sql') }
    }

    step 'phase 2: 005 conversation columns and index', {
        long before = tier1.count('conversations')
        applyScript(tier1, file("$migrationsDir/2025-11-07_005_conversation_alter.sql"))
        expect('conversations has task_status, archived and last_action_at') {
            ['task_status', 'archived', 'last_action_at'].every { tier1.hasColumn('conversations', it) }
        }
        expect('idx_conversations_active is in sqlite_master') {
            inSqliteMaster(tier1, 'index', 'idx_conversations_active')
        }
        expect("existing conversations read task_status 'open', archived 0") {
            tier1.count('conversations', "task_status = 'open' AND archived = 0") == before
        }
        expect('conversation_actions exists') { tier1.hasTable('conversation_actions') }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_005_conversation_alter.sql') }
    }

    step 'phase 2: 006 plugins', {
        applyScript(tier1, file("$migrationsDir/2025-11-07_006_plugins.sql"))
        expect('plugins and plugin_hook_executions exist') { tier1.hasTable('plugins') && tier1.hasTable('plugin_hook_executions') }
        expect('recorded in migrations with its checksum') { applied(tier1, '2025-11-07_006_plugins.sql') }
        expect('every script of the folder is applied') {
            scripts(file(migrationsDir)).every { applied(tier1, it.fileName.toString()) }
        }
    }

    // ---------------------------------------------------------------- phase 3: backfill and initialisation

    step 'phase 3: register plugins from the registry config', {
        def registry = file(registryConfig)
        if (!Files.isRegularFile(registry)) {
            throw new SluiceException(ErrorCode.IO, "The CORTEX 1.0 plugin registry $registry does not exist. Copy it into the " +
                    "workspace as $registryConfig, or give -p registryConfig=PATH.")
        }
        def plugins = JSON.readValue(registry.toFile(), Map).plugins ?: []
        plugins.each { p ->
            tier1.exec('''INSERT INTO plugins (name, version, entry_point, hooks, enabled, registered_at)
                          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING''',
                    p.name, p.version ?: '0', p.entry_point, JSON.writeValueAsString(p.hooks ?: []),
                    p.enabled == false ? 0 : 1, "$date 00:00:00".toString())
        }
        expect("plugins table populated (${plugins.size()} in $registryConfig)") {
            plugins.size() > 0 && tier1.count('plugins') == plugins.size()
        }
    }

    step 'phase 3: baseline health report', {
        def r = selfReview(tier1, tier2, tier3, 'baseline', date)
        note "baseline self-review: ${r.status} (${r.score})"
        expect('health_reports has a baseline row, so dashboards do not 404') { tier1.count('health_reports', "source = 'baseline'") == 1 }
    }

    step 'phase 3: backfill last_action_at for existing conversations', {
        def r = backfill(tier1, '''UPDATE conversations SET last_action_at = last_updated
                                   WHERE id BETWEEN :lo AND :hi AND last_action_at IS NULL''', batchRows)
        if (r) note r.toString()
        expect("batches under 1,000 rows ($batchRows)") { batchRows < 1000 }
        expect('every conversation has last_action_at') { dryRun || tier1.count('conversations', 'last_action_at IS NULL') == 0 }
    }

    step 'phase 3: backfill conversation_actions for the last turns of active sessions', {
        String since = cutoff(date, activeDays)
        int perBatch = sessionsPerBatch(lastTurns)
        def r = backfill(tier1, "SELECT DISTINCT session_id FROM conversations WHERE last_updated >= '$since'",
                name: "conversation_actions last $lastTurns turns since $since", batchRows: perBatch) { b ->
            b.exec("""
                INSERT INTO conversation_actions (conversation_id, message_id, action_type, summary, synthetic, created_at)
                SELECT conversation_id, id, 'turn:' || role, substr(content, 1, 120), 1, created_at FROM (
                    SELECT m.id, m.conversation_id, m.role, m.content, m.created_at,
                           row_number() OVER (PARTITION BY c.session_id ORDER BY m.created_at DESC, m.id DESC) AS turn
                    FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE c.session_id BETWEEN :lo AND :hi
                      AND c.session_id IN (SELECT session_id FROM conversations WHERE last_updated >= '$since')
                ) AS recent
                WHERE turn <= $lastTurns
                  AND NOT EXISTS (SELECT 1 FROM conversation_actions a WHERE a.message_id = recent.id AND a.synthetic = 1)""")
        }
        if (r) note r.toString()
        expect("each batch stays under 1,000 rows ($perBatch sessions x $lastTurns turns)") { perBatch * lastTurns < 1000 }
        expect("at most $lastTurns synthetic actions per active session") {
            tier1.query('''SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM conversation_actions a
                           JOIN conversations c ON c.id = a.conversation_id WHERE a.synthetic = 1 GROUP BY c.session_id)''').value() <= lastTurns
        }
        expect('every active session has its actions') {
            dryRun || tier1.query("""SELECT count(*) FROM (SELECT DISTINCT session_id FROM conversations WHERE last_updated >= ?) s
                    WHERE NOT EXISTS (SELECT 1 FROM conversation_actions a JOIN conversations c ON c.id = a.conversation_id
                                      WHERE c.session_id = s.session_id)""", since).value() == 0
        }
    }

    step 'phase 3: retention snapshot per tier, provenance link, creation_sessions', {
        String policy = JSON.writeValueAsString([archiveAfterDays: archiveAfterDays, hookRetentionDays: hookRetentionDays])
        [tier1, tier2, tier3].each { t ->
            tier1.exec('''INSERT INTO retention_snapshots (tier, policy, row_counts, taken_at)
                          SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM retention_snapshots WHERE tier = ? AND taken_at = ?)''',
                    t.name(), policy, JSON.writeValueAsString(t.counts()), "$date 00:00:00".toString(), t.name(), "$date 00:00:00".toString())
        }
        if (tier1.count('provenance_links', "source_ref = 'MIGRATION_START'") == 0) {
            tier1.exec('''INSERT INTO provenance_links (source_type, source_ref, target_type, target_ref, relation, confidence)
VALUES ('migration','MIGRATION_START','system','schema_v2','generated',1.0)''')
        }
        expect('a retention snapshot for tier1, tier2 and tier3') { tier1.count('retention_snapshots') >= 3 }
        expect('the migration event has its provenance link') {
            tier1.count('provenance_links', "source_type = 'migration' AND source_ref = 'MIGRATION_START' AND target_type = 'system' " +
                    "AND target_ref = 'schema_v2' AND relation = 'generated' AND confidence = 1.0") == 1
        }
        expect('creation_sessions empty (no failed large write to resume)') { tier1.count('creation_sessions') == 0 }
    }

    // ---------------------------------------------------------------- phase 4: verification and health review

    step 'phase 4: schema presence, counts and integrity', {
        expect('every 2.0 table exists on tier1') { V2_TABLES.every { tier1.hasTable(it) } }
        expect('the new indexes are in sqlite_master') {
            ['idx_conversations_active', 'idx_health_reports_created', 'idx_conversation_actions_conversation'].every {
                inSqliteMaster(tier1, 'index', it)
            }
        }
        expect('migrations table on every tier') { [tier1, tier2, tier3].every { it.hasTable('migrations') } }
        expect('all migration scripts applied successfully') {
            scripts(file(migrationsDir)).every { applied(tier1, it.fileName.toString()) } && tier1.count('migrations', 'success = 0') == 0
        }
        // Counts against the pre-migration snapshot's manifest (absent in a dry run, where nothing was copied).
        def pre = snapshots().find { it.name() == 'pre-migration' }
        expect('conversations, messages, patterns and archives counts unchanged since the snapshot') {
            pre == null ? dryRun : [tier1: ['conversations', 'messages'], tier2: ['patterns'], tier3: ['archives', 'archive_tags']].every { tn, tables ->
                def f = pre.files().find { it.tier() == tn }
                tables.every { tiers.get(tn).count(it) == f.counts()[it] }
            }
        }
        [tier1, tier2, tier3].each { t ->
            expect("integrity_check on ${t.name()}") { t.integrity().ok() }
            expect("foreign_key_check on ${t.name()} is clean") { t.foreignKeyCheck().ok() }
        }
        // The document's example SQL bundle.
        expect("SELECT name FROM sqlite_master WHERE type='table' AND name='health_reports'") {
            tier1.query("SELECT name FROM sqlite_master WHERE type='table' AND name='health_reports'").value() == 'health_reports'
        }
        expect('SELECT COUNT(*) FROM plugins > 0') { tier1.query('SELECT COUNT(*) FROM plugins').value() > 0 }
        expect('SELECT overall_status FROM health_reports ORDER BY created_at DESC LIMIT 1 answers') {
            tier1.query('SELECT overall_status FROM health_reports ORDER BY created_at DESC LIMIT 1').value() != null
        }
    }

    step 'phase 4: query performance smoke', {
        long t1 = bestOf { tier1.query(typicalQuery(true)) }
        long t2 = bestOf { tier2.query(patternSearch(), patternQuery) }
        note "tier1 typical query: $t1 ms; tier2 pattern search (FTS5 MATCH '$patternQuery'): $t2 ms"
        expect('tier1 typical query < 100 ms') { t1 < 100 }
        expect('tier2 pattern search < 200 ms') { t2 < 200 }
        expect('the typical query uses idx_conversations_active') {
            tier1.query('EXPLAIN QUERY PLAN ' + typicalQuery(true)).collect { it.detail }.any { it.contains('idx_conversations_active') }
        }
        expect("the pattern search finds '$patternQuery'") { !tier2.query(patternSearch(), patternQuery).isEmpty() }
    }

    step 'phase 4: self-review and maintenance dry-run', {
        def r = selfReview(tier1, tier2, tier3, 'self_review', date)
        def baseline = tier1.query("SELECT overall_score FROM health_reports WHERE source = 'baseline' ORDER BY id LIMIT 1").value()
        def plan = maintenancePlan([tier1, tier2, tier3])
        tier1.exec("INSERT INTO maintenance_runs (tier, mode, plan, status, created_at) VALUES ('all', 'dry_run', ?, 'planned', ?)",
                JSON.writeValueAsString(plan), "$date 00:00:00".toString())
        note "self-review: ${r.status} (${r.score}, baseline $baseline); maintenance plan: $plan"
        expect('self-review produced a health_reports row') { tier1.count('health_reports', "source = 'self_review'") >= 1 }
        expect('self-review passes with GOOD or better') { r.status in ['GOOD', 'EXCELLENT'] }
        expect('no critical self-review issue') { tier1.count('health_issues', "severity = 'critical'") == 0 }
        expect('self-review score not worse than the baseline by more than 5') { baseline == null || r.score >= baseline - 5 }
        expect('maintenance schedule returns a plan') { tier1.count('maintenance_runs', "mode = 'dry_run' AND status = 'planned'") >= 1 }
    }

    // ---------------------------------------------------------------- phase 5: cutover, one feature at a time

    step 'phase 5.1: enable plugin hook logging', {
        feature(tier1, 'plugins.hook_logging', 'on', date)
        gates(tier1, 'plugins.hook_logging', 'on').each { n, c -> expect(n, c) }
    }

    step 'phase 5.2: enable self-review scheduling', {
        feature(tier1, 'self_review.schedule', 'on', date)
        gates(tier1, 'self_review.schedule', 'on').each { n, c -> expect(n, c) }
    }

    step 'phase 5.3: enable database maintenance auto-plan (dry-run only)', {
        feature(tier1, 'maintenance.mode', 'dry_run', date)
        gates(tier1, 'maintenance.mode', 'dry_run').each { n, c -> expect(n, c) }
    }

    step 'phase 5.4: switch maintenance to active mode', {
        feature(tier1, 'maintenance.mode', 'active', date)
        gates(tier1, 'maintenance.mode', 'active').each { n, c -> expect(n, c) }
        expect('the last maintenance plan ran clean') { tier1.count('maintenance_runs', "status = 'failed'") == 0 }
    }

    step 'phase 5.5: enable incremental creation for large documents', {
        feature(tier1, 'creation.incremental', 'on', date)
        gates(tier1, 'creation.incremental', 'on').each { n, c -> expect(n, c) }
    }

    step 'phase 5.6: expose schema-driven telemetry in dashboards', {
        feature(tier1, 'telemetry.dashboards', 'on', date)
        gates(tier1, 'telemetry.dashboards', 'on').each { n, c -> expect(n, c) }
        expect('all six features on, in order') {
            tier1.query("SELECT count(*) FROM config WHERE key IN ('plugins.hook_logging', 'self_review.schedule', " +
                    "'creation.incremental', 'telemetry.dashboards') AND value = 'on'").value() == 4 &&
                    tier1.query("SELECT value FROM config WHERE key = 'maintenance.mode'").value() == 'active'
        }
    }

    // ---------------------------------------------------------------- phase 6: monitoring window

    step 'phase 6: open the 7-day monitoring window', {
        String until = tier1.query("SELECT date(?, '+7 days')", date).value()
        feature(tier1, 'migration.monitoring_until', until, date)
        expect("monitoring window open until $until") { tier1.query("SELECT value FROM config WHERE key = 'migration.monitoring_until'").value() == until }
    }

    // ---------------------------------------------------------------- phase 7: optimisation and cleanup

    step 'phase 7: retention of plugin hook executions', {
        String before = cutoff(date, hookRetentionDays)
        int gone = tier1.exec('DELETE FROM plugin_hook_executions WHERE executed_at < ?', before)
        note "$gone hook execution(s) older than $before deleted"
        expect("no hook execution older than $hookRetentionDays days") { tier1.count('plugin_hook_executions', 'executed_at < ?', before) == 0 }
    }

    step 'phase 7: archive conversations inactive for archiveAfterDays into tier3', {
        String before = cutoff(date, archiveAfterDays)
        long conversations = tier1.count('conversations')
        long archivesBefore = tier3.count('archives')
        long n = 0
        tier1.each('''SELECT c.id, c.title, json_object('conversation', json_object('id', c.id, 'session_id', c.session_id,
                          'title', c.title, 'created_at', c.created_at, 'last_updated', c.last_updated, 'task_status', c.task_status),
                          'messages', json((SELECT json_group_array(json_object('id', m.id, 'role', m.role, 'content', m.content,
                                              'tokens', m.tokens, 'created_at', m.created_at))
                                       FROM (SELECT * FROM messages WHERE conversation_id = c.id ORDER BY id) AS m))) AS payload
                      FROM conversations c WHERE c.archived = 0 AND c.last_updated < ? ORDER BY c.id''', [before]) { row ->
            byte[] payload = (row.payload as String).getBytes('UTF-8')
            tier3.exec('INSERT INTO archives (conversation_id, archived_at, summary, payload, size_bytes) VALUES (?, ?, ?, ?, ?)',
                    row.id, "$date 00:00:00".toString(), row.title, payload, payload.length)
            n++
        }
        tier1.exec('UPDATE conversations SET archived = 1 WHERE archived = 0 AND last_updated < ?', before)
        note "$n conversation(s) last updated before $before archived into tier3"
        expect('conversations still all there (archived, not deleted)') { tier1.count('conversations') == conversations }
        expect('every archived conversation has its archive in tier3') { tier3.count('archives') == archivesBefore + n }
        expect("no unarchived conversation older than $archiveAfterDays days") {
            tier1.count('conversations', 'archived = 0 AND last_updated < ?', before) == 0
        }
    }

    step 'phase 7: final self-review and archive the migration plan', {
        def r = selfReview(tier1, tier2, tier3, 'final', date)
        def plan = planPath(workspace, planFile, date)
        def archived = workspace.dir().resolve(archiveDir).resolve(plan.fileName.toString())
        if (dryRun) {
            note "dry run: would copy $plan to $archived"
        } else {
            Files.createDirectories(archived.parent)
            Files.copy(plan, archived, StandardCopyOption.REPLACE_EXISTING)
        }
        note "final self-review: ${r.status} (${r.score})"
        expect('final self-review GOOD or better') { r.status in ['GOOD', 'EXCELLENT'] }
        expect("migration plan archived in $archiveDir") { dryRun || Files.isRegularFile(archived) }
    }
}

// ---- shared definitions and helpers

/** The document's tracking table, verbatim. */
@groovy.transform.Field static final String MIGRATIONS_DDL = '''CREATE TABLE IF NOT EXISTS migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  checksum TEXT NOT NULL,
  success INTEGER NOT NULL,
  error_message TEXT
)'''

@groovy.transform.Field static final ObjectMapper JSON = new ObjectMapper()

@groovy.transform.Field static final List<String> V2_TABLES = ['migrations', 'config', 'provenance_links', 'retention_snapshots',
        'health_reports', 'health_issues', 'maintenance_runs', 'creation_sessions', 'conversation_actions', 'plugins',
        'plugin_hook_executions']

void checkDate(String d) {
    if (!(d ==~ /\d{4}-\d\d-\d\d/)) {
        throw new SluiceException(ErrorCode.USAGE, "Parameter date is YYYY-MM-DD (the migration's day); got '$d'.")
    }
}

/** 'YYYY-MM-DD HH:MM:SS' of {@code days} before the migration date, comparable with the tiers' TIMESTAMP text. */
String cutoff(String date, int days) {
    checkDate(date)
    java.time.LocalDate.parse(date).minusDays(days).toString() + ' 00:00:00'
}

java.nio.file.Path planPath(workspace, String planFile, String date) {
    workspace.dir().resolve(planFile.replace('{DATE}', date))
}

/** Sessions per backfill batch so that one batch writes at most 999 rows (the document's "< 1000 rows"). */
int sessionsPerBatch(int lastTurns) {
    Math.max(1, 999.intdiv(Math.max(1, lastTurns)))
}

String typicalQuery(boolean v2) {
    'SELECT id, title, last_updated FROM conversations' + (v2 ? ' WHERE archived = 0' : '') + ' ORDER BY last_updated DESC LIMIT 20'
}

String patternSearch() {
    'SELECT p.id, p.name FROM patterns_fts JOIN patterns p ON p.id = patterns_fts.rowid WHERE patterns_fts MATCH ? ORDER BY rank LIMIT 20'
}

/** The best of five runs, in milliseconds (the first run warms the page cache). */
long bestOf(Closure<?> query) {
    (1..5).collect { long t0 = System.nanoTime(); query(); (System.nanoTime() - t0).intdiv(1_000_000) }.min()
}

List<java.nio.file.Path> scripts(java.nio.file.Path dir) {
    Files.list(dir).withCloseable { s -> s.filter { it.fileName.toString().endsWith('.sql') }.sorted().toList() }
}

/** The document's check: the object is listed in sqlite_master. */
boolean inSqliteMaster(tier, String type, String name) {
    tier.query('SELECT count(*) FROM sqlite_master WHERE type = ? AND name = ?', type, name).value() == 1
}

boolean applied(tier, String name) {
    tier.count('migrations', 'name = ? AND success = 1', name) == 1
}

/**
 * One script, the way the document's runner applies it: SHA-256 of its text, its statements in the step's transaction
 * (BEGIN/COMMIT lines skipped: the step is the transaction), ALTER TABLE … ADD COLUMN only if the column is absent,
 * then a `migrations` row (name, checksum, success = 1). Applied with the same checksum: nothing; edited: refused.
 */
Map applyScript(tier, java.nio.file.Path script) {
    String name = script.fileName.toString()
    String sql = Files.readString(script)
    String sha = MessageDigest.getInstance('SHA-256').digest(sql.getBytes('UTF-8')).encodeHex().toString()
    def was = tier.query('SELECT checksum FROM migrations WHERE name = ? AND success = 1 ORDER BY id DESC LIMIT 1', name)
    if (!was.isEmpty()) {
        if (was.value() != sha) {
            throw new SluiceException(ErrorCode.STEP_CHANGED, "Migration $name changed since it was applied to tier '${tier.name()}' " +
                    "(applied sha256 ${was.value().take(12)}…, now ${sha.take(12)}…). Applied scripts never run again: revert the " +
                    "edit and put the change in a new file.")
        }
        return [name: name, applied: false]
    }
    for (String statement : SqlScript.split(sql)) {
        String s = statement.replaceAll(/(?m)^\s*--.*$/, '').strip().replaceAll(/;$/, '').strip()
        if (!s || s ==~ /(?i)(BEGIN|COMMIT|END)(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?/) {
            continue
        }
        def alter = s =~ /(?is)^ALTER\s+TABLE\s+"?(\w+)"?\s+ADD\s+(?:COLUMN\s+)?(.+)$/
        if (alter.matches()) {
            Sluice.addColumn(tier, alter.group(1), alter.group(2))   // no-op when the column is present (PRAGMA table_info)
        } else {
            tier.exec(s)
        }
    }
    tier.exec('INSERT INTO migrations (name, checksum, success) VALUES (?, ?, 1)', name, sha)
    [name: name, applied: true]
}

/**
 * A self-review: the checks Sluice can make, scored 0-100, one health_issues row per failed check, and the report row.
 * EXCELLENT >= 95, GOOD >= 80, FAIR >= 60, POOR >= 40, else CRITICAL.
 */
Map selfReview(tier1, tier2, tier3, String source, String date) {
    Map<String, Boolean> checks = [:]
    [tier1, tier2, tier3].each { t ->
        checks["integrity_check ${t.name()}".toString()] = t.integrity().ok()
        checks["foreign_key_check ${t.name()}".toString()] = t.foreignKeyCheck().ok()
    }
    checks['2.0 tables present'] = V2_TABLES.every { tier1.hasTable(it) }
    checks['plugins registered'] = tier1.count('plugins') > 0
    checks['conversations readable'] = tier1.count('conversations') > 0
    double score = Math.round(1000.0 * checks.values().count { it } / checks.size()) / 10.0
    String status = score >= 95 ? 'EXCELLENT' : score >= 80 ? 'GOOD' : score >= 60 ? 'FAIR' : score >= 40 ? 'POOR' : 'CRITICAL'
    tier1.exec('INSERT INTO health_reports (created_at, source, overall_status, overall_score, metrics) VALUES (?, ?, ?, ?, ?)',
            "$date 00:00:00".toString(), source, status, score, JSON.writeValueAsString(checks))
    long id = tier1.query('SELECT last_insert_rowid()').value() as long
    checks.findAll { !it.value }.each { k, v ->
        tier1.exec('INSERT INTO health_issues (report_id, severity, category, message) VALUES (?, ?, ?, ?)',
                id, k.startsWith('integrity') ? 'critical' : 'warning', k.tokenize(' ')[0], "$k failed".toString())
    }
    [status: status, score: score]
}

/** Per tier: VACUUM when more than 10% of its pages are free, otherwise nothing to do. */
Map maintenancePlan(List tiers) {
    tiers.collectEntries { t ->
        long pages = t.query('PRAGMA page_count').value() as long
        long free = t.query('PRAGMA freelist_count').value() as long
        [(t.name()): pages > 0 && free * 10 > pages ? 'VACUUM' : 'none']
    }
}

/** A feature flag (or setting) as a config row. */
void feature(tier1, String key, String value, String date) {
    tier1.exec('''INSERT INTO config (key, value, updated_at) VALUES (?, ?, ?)
                  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at''',
            key, value, "$date 00:00:00".toString())
}

/** The expectations after each feature: it is set, and the rollback triggers that can be checked now hold. */
Map<String, Closure<Boolean>> gates(tier1, String key, String value) {
    [("$key = $value".toString())                             : { tier1.query('SELECT value FROM config WHERE key = ?', key).value() == value },
     'plugin hook executions failed <= 5%'                   : {
         long all = tier1.count('plugin_hook_executions')
         all == 0 || tier1.count('plugin_hook_executions', "status = 'failed'") * 20 <= all
     },
     'latest self-review is not CRITICAL'                    : {
         tier1.query('SELECT overall_status FROM health_reports ORDER BY created_at DESC, id DESC LIMIT 1').value() != 'CRITICAL'
     },
     'integrity_check on tier1 is ok'                        : { tier1.quickCheck().ok() }]
}
