// CORTEX 1.0 -> 2.0: the hybrid, incremental migration of seed 000 (../shared/seeds/000_…, "CORTEX 2.0 Migration
// Strategy", 12-migration-strategy.md 2.0.0-alpha), phases 0 to 7 as steps, each phase's checks as expectations.
// Tier names: tier1 (conversations, messages), tier2 (patterns + FTS5), tier3 (archives).
//
// What the playbook relies on, and only that (the document names these; everything else is discovered at phase 0 and
// said there, or is a parameter):
//   tier1  conversations(id, session_id, title, last_updated), messages(id, conversation_id, role, content, created_at)
//   tier2  patterns, searchable with FTS5 (patterns itself an FTS5 table, or an FTS5 table over it / beside it)
//   tier3  archives(id, period, payload, created_at)
// Types, NULLs, timestamp formats (text, ISO 8601, Unix seconds), the FTS5 layout, archives.payload's type and the shape
// of `period` are discovered; other 1.0 tables are carried along (snapshot, counts) but never assumed.
//
// Preconditions: the first step ('phase 0') checks them all and lists every failure before anything is written; the
// plan file is written only when they all hold. The same list is the playbook's `requires` block, so every run mode
// (--yes, step mode, /run, --dry-run) refuses with every failure listed before anything is written (exit 18).
// (No snapshotFree: this playbook never reuses a snapshot name, see phase 1. No journalMode: the document names none.)
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
// Rolling back (the document's "Rollback Strategy"): sluice run playbooks/cortex-2-rollback.groovy -w cortex --yes
// restores the newest pre-migration snapshot and re-runs the baseline verification (integrity + counts).
//
// Phases:
//   0  preconditions (above); the environment fingerprint (every tier's fingerprint(): sizes, counts, schema hash,
//      journal mode, engine version), what was discovered, backup capacity, active conversations, backfill estimates ->
//      migration-plan-{DATE}.json;
//   1  snapshot `snapshotName` ('pre-migration') of all three tiers before anything is modified; when that name is taken
//      (a rolled-back earlier attempt) the copy is 'pre-migration-2', -3, …; then freeze writers, integrity_check == ok per
//      tier, the document's `migrations` table in every tier and its MIGRATION_START record;
//   2  the scripts of cortex-2-migrations/ (the document's 2025-11-07_00N_*.sql naming, lexical order), one step per
//      logical group, each recorded in tier1's `migrations` (name, SHA-256 of the script, success) as the document's
//      runner does; an edited applied script is refused; ALTER TABLE … ADD COLUMN runs only if the column is absent; then
//      the index the backfills need, messages(conversation_id), unless one exists (announced);
//   3  plugins from the registry config, a baseline self-review, two resumable backfills (conversations.last_action_at;
//      conversation_actions for the last `lastTurns` turns per active session), batches under 1,000 rows, each capped at
//      5 s; the retention snapshot per tier; the provenance link exactly as the document's SQL; creation_sessions empty;
//   4  schema presence, unchanged counts of every 1.0 table against the snapshot, integrity and foreign_key_check, the
//      document's SQL bundle, the latency smoke (tier1 typical query < 100 ms, tier2 FTS5 search < 200 ms), a self-review
//      (GOOD or better, no critical issue, score within 5 points of the baseline) and a maintenance dry-run plan;
//   5  the six features on one at a time as rows of `config`, in the document's order, each gated by the rollback
//      triggers that can be checked then (plugin failures <= 5%, no CRITICAL self-review);
//   6  opens the 7-day monitoring window (its end date in `config`); the monitoring itself is outside a playbook;
//   7  retention: plugin hook executions older than 30 days deleted (batched); pre-migration snapshots older than the
//      rollback window deleted (this migration's own is kept); conversations inactive for `archiveAfterDays` copied into
//      tier3 `archives` (one row per conversation, id = offset + conversation id, JSON of the conversation and its
//      messages) in batches, then marked archived = 1 in tier1 in batches (rows kept: the document preserves
//      conversations); Sluice's backfill checkpoints (sluice_progress) dropped; a final self-review; the plan archived.
//
// What is ours, not the document's (it refers to 11-database-schema-updates.md, which we do not have):
// - the columns of health_reports, health_issues, plugins, plugin_hook_executions, conversation_actions,
//   maintenance_runs, creation_sessions, config and retention_snapshots (each script says so); the 2.0 tables all live
//   in tier1, next to the conversations they describe; tier2 and tier3 get the `migrations` table and MIGRATION_START;
// - the self-review: a score from checks Sluice can make (integrity, foreign keys, schema presence, plugins registered)
//   mapped to EXCELLENT/GOOD/FAIR/POOR/CRITICAL; the maintenance plan: VACUUM when a tier's free pages exceed 10%;
// - the plugin registry format (cortex.config.json: {"plugins": [{"name", "version", "entry_point", "hooks", "enabled"}]});
// - the archive row: the document's "archival batches" and the 2.0 `archived` marker, written as one archives row per
//   conversation (period per `periodFormat`, payload JSON, created_at the migration date);
// - the 005 script groups the document's ALTERs with conversation_actions; its example puts them with health_reports.
// Not expressible faithfully, and what happens instead:
// - "Freeze writers": freeze() holds each tier's write lock until its step ends; a commit releases it, so the freeze
//   cannot span phases 1-2 as the document's "writes resumed after Phase 2" wants. Pause the application's writers
//   yourself (the document's "announce freeze") for the run; phase 1's step holds the lock while it checks and stamps.
// - "On DDL failure … record success=0": a failed step rolls back every tier, the migrations row included, so a failure
//   leaves no row; it is in the run's output and journal instead (the document's "ROLLBACK automatically" holds).
// - Not done here: logical .dump exports (optional in the document; `sluice snapshot` + `dump` do it), the 1.0 test
//   suite, the boundary guard checks, phase 6's 7 days of monitoring, compressing archival batches, the app's caches,
//   pending tasks (the document names no 1.0 task table).
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
    description 'Checks its preconditions, fingerprints, snapshots and freezes the three CORTEX tiers, applies the 2.0 schema ' +
            'in checksummed groups, backfills in capped batches, seeds plugins, health report and provenance, verifies, ' +
            'enables the 2.0 features one at a time, enforces retention and drops its helper tables.'
    tiers 'tier1', 'tier2', 'tier3'
    param 'date', '2025-11-07'
    param 'planFile', 'migration-plan-{DATE}.json'
    param 'migrationsDir', 'cortex-2-migrations'
    param 'registryConfig', 'cortex.config.json'
    param 'cortexCommit', 'unknown'
    param 'activeDays', 90
    param 'lastTurns', 50
    param 'batchRows', 500
    param 'capMillis', 5000
    param 'archiveAfterDays', 180
    param 'hookRetentionDays', 30
    param 'archiveDir', 'archive'
    param 'patternQuery', ''            // empty: phase 0 picks a term from tier2's own FTS5 index
    param 'snapshotName', 'pre-migration'
    param 'snapshotRetentionDays', 7    // the document's rollback window (phase 6: 7 days)
    param 'periodFormat', 'auto'        // auto: the shape of the existing archives.period values (else YYYY-MM)

    // ---------------------------------------------------------------- phase 0: assessment and planning


    requires {
        table tier1, 'conversations'; columns tier1, 'conversations', 'id', 'session_id', 'title', 'last_updated'
        table tier1, 'messages';      columns tier1, 'messages', 'id', 'conversation_id', 'role', 'content', 'created_at'
        table tier2, 'patterns'
        table tier3, 'archives';      columns tier3, 'archives', 'id', 'period', 'payload', 'created_at'
        freeSpace factor: 2, path: 'backups'          // Phase 0: "Confirm backup location capacity (>= 2x total DB size)"
        check('an FTS5 index on tier2 patterns', fix: 'Point tier2 at the CORTEX 1.0 patterns database (patterns searchable with FTS5)') { ftsOf(tier2) != null }                       // "Tier 2 FTS"
        check('conversations.id and archives.id are INTEGER PRIMARY KEYs', fix: 'The keyset batches need integer keys; this playbook does not migrate other key types') { integerKey(tier1, 'conversations') && integerKey(tier3, 'archives') }
        check('the 1.0 plugin registry lists plugins', fix: 'Copy the 1.0 plugin registry into the workspace as cortex.config.json, or give -p registryConfig=PATH') { registryPlugins(workspace.dir().resolve(registryConfig)) != null }  // Phase 3 task 1
        check('batches under 1,000 rows', fix: 'Give -p batchRows and -p lastTurns below 1000 (the document caps a batch under 1,000 rows)') { batchRows < 1000 && lastTurns < 1000 }              // Phase 3 safeguards
    }

    step 'phase 0: preconditions, environment fingerprint and migration plan', {
        // Preconditions first: every one is evaluated and listed; nothing is written unless all hold.
        Map<String, Boolean> pre = [:]
        pre["parameter date is YYYY-MM-DD (got '$date')".toString()] = (date ==~ /\d{4}-\d\d-\d\d/)
        pre["batches under 1,000 rows (batchRows $batchRows, lastTurns $lastTurns)".toString()] =
                (batchRows as int) in 1..999 && (lastTurns as int) in 1..999
        pre["batch time cap at most 5 s (capMillis $capMillis)".toString()] = (capMillis as long) >= 1 && (capMillis as long) <= 5000
        NEEDED.each { tn, tables ->
            def t = tiers.get(tn)
            tables.each { table, cols ->
                boolean has = t.hasTable(table)
                def missing = has ? cols.findAll { c -> !t.hasColumn(table, c) } : cols
                pre["${tn}.${table}${cols ? '(' + cols.join(', ') + ')' : ''} exists${missing && has ? ' (missing: ' + missing.join(', ') + ')' : ''}".toString()] =
                        has && !missing
            }
        }
        def fts = tier2.hasTable('patterns') ? ftsOf(tier2) : null
        pre["tier2 patterns has an FTS5 index (the document's 'Tier 2 FTS')".toString()] = fts != null
        pre['tier1 conversations.id is an INTEGER PRIMARY KEY (the backfills and archive ids are keyed on it)'] =
                tier1.hasTable('conversations') && integerKey(tier1, 'conversations')
        pre['tier3 archives.id is an INTEGER PRIMARY KEY (phase 7 writes archive rows with their id)'] =
                tier3.hasTable('archives') && integerKey(tier3, 'archives')
        def registry = file(registryConfig)
        def plugins = registryPlugins(registry)
        pre["the 1.0 plugin registry $registryConfig lists plugins (phase 3 registers them; -p registryConfig=PATH)".toString()] =
                plugins != null && !plugins.isEmpty()
        def fps = [tier1.fingerprint(), tier2.fingerprint(), tier3.fingerprint()]
        long total = fps.sum { it.fileBytes() ?: 0L }
        def backups = workspace.snapshotsDir()
        def probe = backups.toAbsolutePath()
        while (!Files.exists(probe)) { probe = probe.parent }
        long usable = Files.getFileStore(probe).usableSpace
        note "backup location $backups: ${mb(usable)} free, ${mb(2 * total)} needed (2x the ${mb(total)} of the three tiers)"
        pre['backup location has >= 2x the total database size free (document, phase 0)'] = usable >= 2 * total
        pre.each { n, ok -> expect(n) { ok } }
        if (pre.values().any { !it }) {
            note "preconditions failed (${pre.count { !it.value }} of ${pre.size()}): nothing was written; fix them and run again"
            return
        }

        // What was found, and what the run will do with it.
        def survey = timestamps(tier1, 'conversations', 'last_updated')
        def msgSurvey = timestamps(tier1, 'messages', 'created_at')
        String since = cutoff(date, activeDays as int)
        String archiveBefore = cutoff(date, archiveAfterDays as int)
        long conversations = tier1.count('conversations')
        long active = tier1.query("SELECT count(*) FROM conversations WHERE ${ts('last_updated')} >= ?", since).value() as long
        long activeSessions = tier1.query("SELECT count(DISTINCT session_id) FROM conversations WHERE session_id IS NOT NULL AND ${ts('last_updated')} >= ?",
                since).value() as long
        long noSession = tier1.count('conversations', 'session_id IS NULL')
        long archivable = tier1.query("SELECT count(*) FROM conversations WHERE ${ts('last_updated')} < ?", archiveBefore).value() as long
        def msgIndex = conversationIndex(tier1)
        String term = searchTerm(tier2, fts, patternQuery)
        String period = periodFormatOf(tier3, periodFormat)
        boolean blob = payloadIsBlob(tier3)
        String snap = freeSnapshotName(snapshotName)
        note "found: tier1 conversations ${conversations} (last_updated: ${survey.text} text, ${survey.numeric} Unix-time numbers, " +
                "${survey.nulls} NULL, ${survey.unreadable} unreadable; compared as UTC via datetime(), NULL and unreadable ones " +
                "count as neither active nor archivable), ${noSession} without session_id (in no session); messages " +
                "${tier1.count('messages')} (created_at: ${msgSurvey.text} text, ${msgSurvey.numeric} numbers, ${msgSurvey.nulls} NULL)"
        note "found: tier2 ${fts.kind} (${fts.table}); the search smoke uses MATCH ${term == null ? '(no term found in the index: it times an empty answer)' : "'" + term + "'"}" +
                (patternQuery ? ' (given with -p patternQuery)' : ' (picked from the index; -p patternQuery=… to choose)')
        note "found: tier3 archives ${tier3.count('archives')}, payload stored as ${blob ? 'BLOB' : 'TEXT'} (declared '${payloadType(tier3)}'), " +
                "period values like ${samplePeriods(tier3) ?: '(none)'} -> new rows get period ${period == 'quarter' ? 'YYYY-Qn' : "strftime('$period')"}"
        note "will: snapshot '${snap}'${snap != snapshotName ? " ('$snapshotName' is taken by an earlier attempt)" : ''}; " +
                (msgIndex ? "use ${msgIndex} for messages(conversation_id)" : 'add index idx_messages_conversation_id ON messages(conversation_id) (phase 2; the backfills and the archive look messages up by conversation)') +
                "; backfill last_action_at on ${tier1.count('conversations', 'last_updated IS NOT NULL')} conversations " +
                "and conversation_actions for ${activeSessions} active session(s) (last_updated since $since); archive ${archivable} " +
                "conversation(s) last updated before ${archiveBefore} into tier3; batches of at most ${batchRows} rows, ${capMillis} ms cap each"
        if (activeSessions == 0) {
            note "no active session since $since: the conversation_actions backfill will have nothing to do, and its check holds without work"
        }

        def latency = [tier1TypicalQueryMs: bestOf { tier1.query(typicalQuery(false)) },
                       tier2PatternSearchMs: bestOf { tier2.query(fts.search, term ?: '"sluice"') }]
        def plan = [document       : '12-migration-strategy.md 2.0.0-alpha (seed 000)', date: date, cortexCommit: cortexCommit,
                    tiers          : fps,
                    totalBytes     : total,
                    backupLocation : [path: backups.toString(), usableBytes: usable, neededBytes: 2 * total],
                    discovered     : [lastUpdated: survey, messagesCreatedAt: msgSurvey, fts: fts.kind, ftsTable: fts.table,
                                      searchTerm: term, payload: blob ? 'BLOB' : 'TEXT', periodFormat: period,
                                      messagesConversationIndex: msgIndex, snapshot: snap],
                    conversations  : [total: conversations, active: active, activeSessions: activeSessions, activeSince: since,
                                      withoutSession: noSession, archivable: archivable, archiveBefore: archiveBefore],
                    pendingTasks   : 'not counted: the document names no CORTEX 1.0 task table',
                    baselineLatency: latency,
                    estimates      : [lastActionBackfill: [rows: conversations, batchRows: batchRows,
                                                           batches: Math.ceil(conversations / (batchRows as int)) as long],
                                      conversationActions: [sessions: activeSessions, maxRows: activeSessions * (lastTurns as int),
                                                            sessionsPerBatch: sessionsPerBatch(lastTurns as int)],
                                      archive: [conversations: archivable, batches: Math.ceil(archivable / (batchRows as int)) as long]]]
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
        expect("plan written to ${out.fileName}") { dryRun || Files.size(out) > 0 }
    }

    // ---------------------------------------------------------------- phase 1: snapshot and freeze

    step 'phase 1: snapshot every tier (pre-migration)', {
        String name = freeSnapshotName(snapshotName)
        if (name != snapshotName) {
            note "snapshot '$snapshotName' already exists (an earlier attempt, rolled back?): this run's copy is '$name'"
        }
        def s = snapshot(name)
        expect("backups complete: tier1, tier2 and tier3 copied into '$name'") { dryRun || s.files()*.tier().toSet() == ['tier1', 'tier2', 'tier3'].toSet() }
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

    step 'phase 2: index messages(conversation_id) for the backfills and the archive', {
        // Not in the document's scripts: the document's phase 3 and 7 read messages by conversation, and without this
        // index each lookup scans messages (issue 12: 7 minutes at 5x the demo). Announced; kept after the migration.
        def existing = conversationIndex(tier1)
        if (existing) {
            note "messages(conversation_id) is already indexed by ${existing}: nothing to add"
        } else {
            long t0 = System.nanoTime()
            createIndex tier1, 'CREATE INDEX IF NOT EXISTS idx_messages_conversation_id ON messages(conversation_id)'
            note "added index idx_messages_conversation_id ON messages(conversation_id) over ${tier1.count('messages')} messages " +
                    "in ${(System.nanoTime() - t0).intdiv(1_000_000)} ms (one statement: an index build cannot be batched)"
        }
        expect('messages(conversation_id) is indexed') { conversationIndex(tier1) != null }
    }

    // ---------------------------------------------------------------- phase 3: backfill and initialisation

    step 'phase 3: register plugins from the registry config', {
        def plugins = registryPlugins(file(registryConfig))
        if (plugins == null) {
            throw new SluiceException(ErrorCode.IO, "The CORTEX 1.0 plugin registry ${file(registryConfig)} does not exist or is not " +
                    "{\"plugins\": [...]}. Copy it into the workspace as $registryConfig, or give -p registryConfig=PATH.")
        }
        plugins.each { p ->
            tier1.exec('''INSERT INTO plugins (name, version, entry_point, hooks, enabled, registered_at)
                          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING''',
                    p.name, p.version ?: '0', p.entry_point, JSON.writeValueAsString(p.hooks ?: []),
                    p.enabled == false ? 0 : 1, "$date 00:00:00".toString())
        }
        expect("plugins table populated (${plugins.size()} in $registryConfig)") {
            plugins.size() > 0 && tier1.count('plugins') == plugins*.name.toSet().size()
        }
    }

    step 'phase 3: baseline health report', {
        def r = selfReview(tier1, tier2, tier3, 'baseline', date)
        note "baseline self-review: ${r.status} (${r.score})"
        expect('health_reports has a baseline row, so dashboards do not 404') { tier1.count('health_reports', "source = 'baseline'") == 1 }
    }

    step 'phase 3: backfill last_action_at for existing conversations', {
        def r = backfill(tier1, '''UPDATE conversations SET last_action_at = last_updated
                                   WHERE id BETWEEN :lo AND :hi AND last_action_at IS NULL AND last_updated IS NOT NULL''',
                name: 'cortex-2: last_action_at', batchRows: batchRows as int, capMillis: capMillis as long)
        if (r) note r.toString()
        long without = tier1.count('conversations', 'last_updated IS NULL')
        if (without > 0) {
            note "$without conversation(s) have no last_updated: last_action_at stays NULL for them"
        }
        expect("batches under 1,000 rows ($batchRows), none over ${capMillis} ms (an overrun is rolled back and retried smaller)") {
            (batchRows as int) < 1000 && (capMillis as long) <= 5000
        }
        expect('every conversation with a last_updated has last_action_at') {
            dryRun || tier1.count('conversations', 'last_action_at IS NULL AND last_updated IS NOT NULL') == 0
        }
    }

    step 'phase 3: backfill conversation_actions for the last turns of active sessions', {
        String since = cutoff(date, activeDays as int)
        int perBatch = sessionsPerBatch(lastTurns as int)
        String active = "SELECT DISTINCT session_id FROM conversations WHERE session_id IS NOT NULL AND ${ts('last_updated')} >= '$since'"
        long sessions = tier1.query("SELECT count(*) FROM ($active)").value() as long
        long withMessages = tier1.query("""SELECT count(DISTINCT c.session_id) FROM conversations c WHERE c.session_id IN ($active)
                AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)""").value() as long
        def r = backfill(tier1, active, name: 'cortex-2: conversation_actions', batchRows: perBatch, capMillis: capMillis as long) { b ->
            b.exec("""
                INSERT INTO conversation_actions (conversation_id, message_id, action_type, summary, synthetic, created_at)
                SELECT conversation_id, id, 'turn:' || coalesce(role, 'unknown'), coalesce(substr(content, 1, 120), ''), 1,
                       coalesce(created_at, '$date 00:00:00') FROM (
                    SELECT m.id, m.conversation_id, m.role, m.content, m.created_at,
                           row_number() OVER (PARTITION BY c.session_id ORDER BY ${ts('m.created_at')} DESC, m.id DESC) AS turn
                    FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE c.session_id BETWEEN :lo AND :hi AND c.session_id IN ($active)
                ) AS recent
                WHERE turn <= $lastTurns
                  AND NOT EXISTS (SELECT 1 FROM conversation_actions a WHERE a.message_id = recent.id AND a.synthetic = 1)""")
        }
        if (r) note r.toString()
        note "$sessions active session(s) since $since, $withMessages with messages" +
                (withMessages == 0 ? ': nothing to backfill, so the check below holds without work' : '')
        expect("each batch stays under 1,000 rows ($perBatch sessions x $lastTurns turns)") { perBatch * (lastTurns as int) < 1000 }
        expect("at most $lastTurns synthetic actions per active session") {
            tier1.query('''SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM conversation_actions a
                           JOIN conversations c ON c.id = a.conversation_id WHERE a.synthetic = 1 GROUP BY c.session_id)''').value() <= (lastTurns as int)
        }
        expect("every active session with messages has its actions (${withMessages} session(s)${withMessages == 0 ? ': none, holds without work' : ''})") {
            dryRun || tier1.query("""SELECT count(*) FROM ($active) s
                    WHERE EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.session_id = s.session_id)
                      AND NOT EXISTS (SELECT 1 FROM conversation_actions a JOIN conversations c ON c.id = a.conversation_id
                                      WHERE c.session_id = s.session_id)""").value() == 0
        }
    }

    step 'phase 3: retention snapshot per tier, provenance link, creation_sessions', {
        String policy = JSON.writeValueAsString([archiveAfterDays: archiveAfterDays, hookRetentionDays: hookRetentionDays])
        [tier1, tier2, tier3].each { t ->
            tier1.exec('''INSERT INTO retention_snapshots (tier, policy, row_counts, taken_at)
                          SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM retention_snapshots WHERE tier = ? AND taken_at = ?)''',
                    t.name(), policy, JSON.writeValueAsString(t.counts().findAll { !it.key.startsWith('sluice_') }), "$date 00:00:00".toString(), t.name(), "$date 00:00:00".toString())
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
        // Every 1.0 table's count against this migration's snapshot manifest (absent in a dry run, where nothing was copied).
        def pre = latestSnapshot(snapshotName)
        def tables = pre == null ? [:] : pre.files().collectEntries { f -> [(f.tier()): f.counts().findAll { !it.key.startsWith('sluice_') }] }
        if (pre != null) {
            note "counts compared with snapshot '${pre.name()}': ${tables.collect { tn, c -> "$tn ${c.keySet().join(', ')}" }.join('; ')}"
        }
        expect("every 1.0 table's count unchanged since the snapshot") {
            pre == null ? dryRun : tables.every { tn, counts -> counts.every { table, n -> tiers.get(tn).count(table) == n } }
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
        def fts = ftsOf(tier2)
        String term = searchTerm(tier2, fts, patternQuery)
        long t1 = bestOf { tier1.query(typicalQuery(true)) }
        long t2 = bestOf { tier2.query(fts.search, term ?: '"sluice"') }
        long hits = tier2.query(fts.search, term ?: '"sluice"').size()
        boolean indexed = tier1.query('EXPLAIN QUERY PLAN ' + typicalQuery(true)).collect { it.detail }.any { it.contains('idx_conversations_active') }
        note "tier1 typical query: $t1 ms (${indexed ? 'uses' : 'does not use'} idx_conversations_active); tier2 pattern search " +
                "(FTS5 ${fts.table} MATCH ${term ?: '"sluice"'}): $t2 ms, $hits hit(s)"
        expect('tier1 typical query < 100 ms') { t1 < 100 }
        expect('tier2 pattern search < 200 ms') { t2 < 200 }
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
        String before = cutoff(date, hookRetentionDays as int)
        long old = tier1.count('plugin_hook_executions', 'executed_at < ?', before)
        def r = backfill(tier1, "DELETE FROM plugin_hook_executions WHERE id BETWEEN :lo AND :hi AND executed_at < '$before'",
                name: 'cortex-2: hook retention', batchRows: batchRows as int, capMillis: capMillis as long)
        if (r) note r.toString()
        note "$old hook execution(s) older than $before" + (old == 0 ? ': nothing to delete, the check below holds without work' : ' deleted in batches')
        expect("no hook execution older than $hookRetentionDays days") { dryRun || tier1.count('plugin_hook_executions', 'executed_at < ?', before) == 0 }
    }

    step 'phase 7: retention of old pre-migration snapshots', {
        // The document's "Enforce retention (old snapshots …)": old = older than the rollback window (phase 6's 7 days).
        // This migration's own snapshot (the newest of the family) is always kept: the window starts now.
        def family = snapshots().findAll { it.name().startsWith(snapshotName) }
        def limit = java.time.Instant.now().minus(java.time.Duration.ofDays(snapshotRetentionDays as long))
        int keep = Math.max(1, family.count { java.time.Instant.parse(it.createdAt()).isAfter(limit) } as int)
        def gone = family.size() > keep ? prune(keep, snapshotName) : []
        note "${family.size()} snapshot(s) named ${snapshotName}…; kept ${Math.min(keep, family.size())} " +
                "(taken within $snapshotRetentionDays days, or this migration's)" + (gone ? ", deleted ${gone.join(', ')}" : ', deleted none')
        expect("no ${snapshotName}… snapshot older than $snapshotRetentionDays days but this migration's") {
            dryRun || snapshots().findAll { it.name().startsWith(snapshotName) }.with { s ->
                s.size() <= 1 || s.subList(0, s.size() - 1).every { java.time.Instant.parse(it.createdAt()).isAfter(limit) }
            }
        }
    }

    step 'phase 7: plan the archive of inactive conversations', {
        String before = cutoff(date, archiveAfterDays as int)
        String offset = tier1.query("SELECT value FROM config WHERE key = 'migration.archive_id_offset'").value()
        if (offset == null) {
            // Archive rows get id = offset + conversation id: a re-run or a resumed batch finds its own rows by key.
            offset = String.valueOf(tier3.query('SELECT coalesce(max(id), 0) FROM archives').value())
            feature(tier1, 'migration.archive_id_offset', offset, date)
            feature(tier1, 'migration.archive_before', before, date)
        }
        long n = tier1.query("SELECT count(*) FROM conversations WHERE archived = 0 AND ${ts('last_updated')} < ?", before).value() as long
        long unknown = tier1.query("SELECT count(*) FROM conversations WHERE ${ts('last_updated')} IS NULL").value() as long
        note "$n conversation(s) last updated before $before will be archived into tier3 as archive ids ${offset} + conversation id" +
                (unknown ? "; $unknown with no readable last_updated are left alone" : '') + (n == 0 ? '; nothing to archive, the checks hold without work' : '')
        expect('the archive id offset is recorded') { tier1.query("SELECT value FROM config WHERE key = 'migration.archive_id_offset'").value() == offset }
    }

    step 'phase 7: copy inactive conversations into tier3 archives', {
        String before = tier1.query("SELECT value FROM config WHERE key = 'migration.archive_before'").value() ?: cutoff(date, archiveAfterDays as int)
        long offset = tier1.query("SELECT value FROM config WHERE key = 'migration.archive_id_offset'").value() as long
        String fmt = periodFormatOf(tier3, periodFormat)
        boolean blob = payloadIsBlob(tier3)
        String stamp = "$date 00:00:00"
        if (!attached(tier3, 'cortex_tier1')) {
            attach tier3, tier1.file().toAbsolutePath().toString(), 'cortex_tier1'   // read tier1 inside tier3's batch transactions
        }
        String archivable = "c.archived = 0 AND ${ts('c.last_updated')} < '$before'"
        def r = backfill(tier3, "SELECT c.id FROM cortex_tier1.conversations c WHERE $archivable",
                name: 'cortex-2: archive copy', batchRows: batchRows as int, capMillis: capMillis as long) { b ->
            def messages = [:].withDefault { [] }
            def values = []
            tier3.query('SELECT * FROM cortex_tier1.messages WHERE conversation_id BETWEEN ? AND ? ORDER BY conversation_id, id', b.lo(), b.hi())
                    .each { m -> messages[m.conversation_id as long] << m.toMap() }
            tier3.query("SELECT c.*, ${periodSql(fmt, ts('c.last_updated'))} AS sluice_period FROM cortex_tier1.conversations c " +
                    "WHERE c.id BETWEEN ? AND ? AND $archivable ORDER BY c.id", b.lo(), b.hi()).each { c ->
                def conversation = c.toMap()
                String period = conversation.remove('sluice_period')
                byte[] json = JSON.writeValueAsBytes([conversation: conversation, messages: messages[c.id as long]])
                values.addAll([offset + (c.id as long), period, blob ? json : new String(json, 'UTF-8'), stamp])
            }
            if (values) {   // one statement per batch (4 parameters a row, under SQLite's 32,766)
                tier3.exec('INSERT INTO archives (id, period, payload, created_at) VALUES ' +
                        (['(?, ?, ?, ?)'] * (values.size().intdiv(4))).join(', '), values as Object[])
            }
        }
        if (r) note r.toString()
        expect('every conversation to archive has its archive row in tier3') {
            dryRun || tier3.query("SELECT count(*) FROM cortex_tier1.conversations c WHERE $archivable " +
                    "AND NOT EXISTS (SELECT 1 FROM archives a WHERE a.id = ? + c.id)", offset).value() == 0
        }
    }

    step 'phase 7: mark archived conversations in tier1', {
        if (attached(tier3, 'cortex_tier1')) {
            detach tier3, 'cortex_tier1'
        }
        String before = tier1.query("SELECT value FROM config WHERE key = 'migration.archive_before'").value() ?: cutoff(date, archiveAfterDays as int)
        long offset = tier1.query("SELECT value FROM config WHERE key = 'migration.archive_id_offset'").value() as long
        long conversations = tier1.count('conversations')
        String archivable = "archived = 0 AND ${ts('last_updated')} < '$before'"
        def r = backfill(tier1, "SELECT id FROM conversations WHERE $archivable",
                name: 'cortex-2: archive mark', batchRows: batchRows as int, capMillis: capMillis as long) { b ->
            def ids = tier3.query('SELECT id - ? AS cid FROM archives WHERE id BETWEEN ? AND ?', offset, offset + (b.lo() as long),
                    offset + (b.hi() as long)).collect { it.cid }
            if (ids) {
                tier1.exec("UPDATE conversations SET archived = 1 WHERE $archivable AND id IN (${ids.collect { '?' }.join(", ")})", ids as Object[])
            }
        }
        if (r) note r.toString()
        long archived = tier1.count('conversations', 'archived = 1')
        long rows = tier3.query('SELECT count(*) FROM archives WHERE id > ?', offset).value() as long
        note "$archived conversation(s) archived, $rows archive row(s) written after id $offset"
        expect('conversations still all there (archived, not deleted)') { tier1.count('conversations') == conversations }
        expect('every archived conversation has its archive row in tier3') {
            Set<Long> inTier3 = new HashSet<>()
            tier3.each('SELECT id - ? AS cid FROM archives WHERE id > ?', [offset, offset]) { inTier3 << (it.cid as long) }
            long missing = 0
            tier1.each('SELECT id FROM conversations WHERE archived = 1', []) { if (!inTier3.contains(it.id as long)) missing++ }
            dryRun || missing == 0
        }
        expect("no unarchived conversation last updated before $before (NULL or unreadable last_updated aside)") {
            dryRun || tier1.query("SELECT count(*) FROM conversations WHERE $archivable").value() == 0
        }
    }

    step 'phase 7: drop migration helper tables, final self-review, archive the migration plan', {
        // "Drop any deprecated temporary migration helper tables": Sluice's backfill checkpoints of this playbook.
        [tier1, tier2, tier3].each { t ->
            if (t.hasTable('sluice_progress')) {
                int n = t.exec("DELETE FROM sluice_progress WHERE name LIKE 'cortex-2: %'")
                if (t.count('sluice_progress') == 0) {
                    t.exec('DROP TABLE sluice_progress')
                    note "dropped ${t.name()}.sluice_progress ($n checkpoint(s) of this migration)"
                } else {
                    note "removed $n checkpoint(s) of this migration from ${t.name()}.sluice_progress; the table stays (other backfills use it)"
                }
            }
        }
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
        expect('no migration checkpoint left in sluice_progress') {
            [tier1, tier2, tier3].every { !it.hasTable('sluice_progress') || it.count('sluice_progress', "name LIKE 'cortex-2: %'") == 0 }
        }
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
    // Statements as SQLite reads them (comments before each left out): the lexer script() and migrate() use.
    for (def statement : SqlLexer.statements(sql, dev.sluice.workspace.Engine.SQLITE)) {
        String s = statement.text()
        if (s ==~ /(?i)(BEGIN|COMMIT|END)(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?/) {
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
    checks['conversations readable'] = tier1.query('SELECT count(*) FROM conversations').value() != null   // an empty tier is readable too
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
    String none = tier1.count('plugin_hook_executions') == 0 ? ' (none recorded yet: holds without work)' : ''
    [("$key = $value".toString())                             : { tier1.query('SELECT value FROM config WHERE key = ?', key).value() == value },
     ("plugin hook executions failed <= 5%$none".toString()) : {
         long all = tier1.count('plugin_hook_executions')
         all == 0 || tier1.count('plugin_hook_executions', "status = 'failed'") * 20 <= all
     },
     'latest self-review is not CRITICAL'                    : {
         tier1.query('SELECT overall_status FROM health_reports ORDER BY created_at DESC, id DESC LIMIT 1').value() != 'CRITICAL'
     },
     'integrity_check on tier1 is ok'                        : { tier1.quickCheck().ok() }]
}

/** What the playbook relies on: the tables and columns the document (and issue 12's reading of it) names, per tier. */
@groovy.transform.Field static final Map<String, Map<String, List<String>>> NEEDED = [
        tier1: [conversations: ['id', 'session_id', 'title', 'last_updated'],
                messages     : ['id', 'conversation_id', 'role', 'content', 'created_at']],
        tier2: [patterns: []],
        tier3: [archives: ['id', 'period', 'payload', 'created_at']]]

String mb(long bytes) {
    String.format('%.1f MB', bytes / 1e6)
}

/** The plugins of the 1.0 registry ({"plugins": [...]}), or null when the file is missing or not that shape. */
List registryPlugins(java.nio.file.Path registry) {
    if (!Files.isRegularFile(registry)) {
        return null
    }
    try {
        def p = JSON.readValue(registry.toFile(), Map).plugins
        return p instanceof List ? p : null
    } catch (Exception e) {
        return null
    }
}

/** True when {@code table}'s primary key is one column declared INTEGER (SQLite's rowid alias: always an integer). */
boolean integerKey(tier, String table) {
    def pk = tier.primaryKey(table)
    pk.size() == 1 && tier.columns(table).find { it.name() == pk[0] }?.type()?.toUpperCase() == 'INTEGER'
}

/**
 * How tier2 searches patterns with FTS5: `patterns` itself an FTS5 table, an FTS5 table whose content= is patterns, or
 * an FTS5 table named after patterns. [table:, kind:, search: (SQL with one MATCH parameter)], or null when none.
 */
Map ftsOf(tier2) {
    def virtual = tier2.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' " +
            "AND lower(sql) LIKE '%using fts5%' ORDER BY name").collect { [name: it.name as String, sql: it.sql as String] }
    def q = { String n -> '"' + n.replace('"', '""') + '"' }
    def self = virtual.find { it.name == 'patterns' }
    if (self) {
        return [table: 'patterns', kind: 'patterns is itself an FTS5 table',
                search: 'SELECT rowid FROM "patterns" WHERE "patterns" MATCH ? ORDER BY rank LIMIT 20']
    }
    def external = virtual.find { it.sql ==~ /(?is).*\bcontent\s*=\s*['"]?patterns['"]?[\s,)].*/ }
    if (external) {
        return [table: external.name, kind: 'an external-content FTS5 table over patterns',
                search: "SELECT ${q(external.name)}.rowid FROM ${q(external.name)} JOIN patterns ON patterns.rowid = ${q(external.name)}.rowid " +
                        "WHERE ${q(external.name)} MATCH ? ORDER BY ${q(external.name)}.rank LIMIT 20"]
    }
    def named = virtual.find { it.name.toLowerCase().contains('pattern') }
    if (named) {
        return [table: named.name, kind: 'an FTS5 table beside patterns',
                search: "SELECT rowid FROM ${q(named.name)} WHERE ${q(named.name)} MATCH ? ORDER BY rank LIMIT 20"]
    }
    null
}

/**
 * The FTS5 query of the search smoke: -p patternQuery as given, else the first word of the index's own text that finds
 * rows (ASCII words first), as an FTS5 string. Null when the index holds no searchable text.
 */
String searchTerm(tier2, Map fts, String given) {
    if (given) {
        return given
    }
    List<String> words = []
    tier2.query("SELECT * FROM \"${fts.table.replace('"', '""')}\" LIMIT 50").each { row ->
        row.toMap().values().findAll { it instanceof String }.each { String s ->
            words.addAll(s.split(/[^\p{L}\p{N}]+/).findAll { it.length() >= 2 })
        }
    }
    def ordered = words.findAll { it ==~ /[A-Za-z0-9]+/ }.unique() + words.findAll { !(it ==~ /[A-Za-z0-9]+/) }.unique()
    for (String w : ordered.take(10)) {
        String term = '"' + w.replace('"', '""') + '"'
        if (!tier2.query(fts.search, term).isEmpty()) {
            return term
        }
    }
    null
}

/** The index whose first column is messages.conversation_id, or null. */
String conversationIndex(tier1) {
    tier1.indexes('messages').find { it.columns() && it.columns()[0] == 'conversation_id' }?.name()
}

/**
 * A timestamp column as UTC 'YYYY-MM-DD HH:MM:SS' whatever CORTEX stored: ISO 8601 text (space or T, fractions, Z or
 * offset) through datetime(), Unix seconds (or milliseconds) as numbers; NULL when absent or unreadable.
 */
String ts(String col) {
    "(CASE WHEN typeof($col) IN ('integer', 'real') THEN datetime(CASE WHEN $col > 100000000000 THEN $col / 1000.0 ELSE $col END, 'unixepoch') " +
            "ELSE datetime($col) END)"
}

/** How a timestamp column is stored: counts of text, numeric, NULL and unreadable values, and the range read. */
Map timestamps(tier, String table, String col) {
    def r = tier.query("""SELECT sum(typeof("$col") = 'text' AND ${ts('"' + col + '"')} IS NOT NULL) AS text,
                                 sum(typeof("$col") IN ('integer', 'real')) AS numeric, sum("$col" IS NULL) AS nulls,
                                 sum("$col" IS NOT NULL AND ${ts('"' + col + '"')} IS NULL) AS unreadable,
                                 min(${ts('"' + col + '"')}) AS first, max(${ts('"' + col + '"')}) AS last FROM "$table\"""").get(0)
    [text: (r.text ?: 0) as long, numeric: (r.numeric ?: 0) as long, nulls: (r.nulls ?: 0) as long,
     unreadable: (r.unreadable ?: 0) as long, first: r.first, last: r.last]
}

String payloadType(tier3) {
    tier3.columns('archives').find { it.name() == 'payload' }?.type() ?: ''
}

/** SQLite affinity: an untyped or BLOB column keeps bytes as they are; other declared types get the JSON as text. */
boolean payloadIsBlob(tier3) {
    String t = payloadType(tier3).toUpperCase()
    t.isEmpty() || t.contains('BLOB')
}

List<String> samplePeriods(tier3) {
    tier3.query('SELECT DISTINCT period FROM archives WHERE period IS NOT NULL ORDER BY period DESC LIMIT 3').collect { String.valueOf(it.period) }
}

/** -p periodFormat, or with 'auto' the shape every existing period has (YYYY-Qn, YYYY-MM, YYYY-MM-DD, YYYY), else %Y-%m. */
String periodFormatOf(tier3, String given) {
    if (given != 'auto') {
        return given
    }
    def seen = tier3.query('SELECT DISTINCT CAST(period AS TEXT) AS p FROM archives WHERE period IS NOT NULL LIMIT 500').collect { it.p as String }
    def shapes = [(~/\d{4}-Q[1-4]/): 'quarter', (~/\d{4}-\d\d/): '%Y-%m', (~/\d{4}-\d\d-\d\d/): '%Y-%m-%d', (~/\d{4}/): '%Y']
    seen ? (shapes.find { re, f -> seen.every { it ==~ re } }?.value ?: '%Y-%m') : '%Y-%m'
}

String periodSql(String fmt, String tsExpr) {
    fmt == 'quarter' ? "(strftime('%Y', $tsExpr) || '-Q' || ((CAST(strftime('%m', $tsExpr) AS INTEGER) + 2) / 3))"
            : "strftime('${fmt.replace("'", "''")}', $tsExpr)"
}

/** {@code name} when no snapshot has it yet, else name-2, name-3, …: a rolled-back attempt's copy is never overwritten. */
String freeSnapshotName(String name) {
    def taken = dev.sluice.dsl.Sluice.snapshots()*.name().toSet()
    def dir = dev.sluice.dsl.Sluice.workspace().snapshotsDir()
    String n = name
    for (int i = 2; taken.contains(n) || Files.exists(dir.resolve(n)); i++) {
        n = "$name-$i"
    }
    n
}

/** The newest snapshot named {@code name} or name-N (this migration's, see freeSnapshotName), or null. */
def latestSnapshot(String name) {
    dev.sluice.dsl.Sluice.snapshots().findAll { it.name() == name || it.name() ==~ /${java.util.regex.Pattern.quote(name)}-\d+/ }
            .with { it ? it.last() : null }
}

boolean attached(tier, String schema) {
    tier.query('PRAGMA database_list').any { it.name == schema }
}
