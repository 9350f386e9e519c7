// Meridian: consolidate task_queue.db, proposals.db and (when present) orchestration_decisions.db into workspace.db.
// From seed 003 (../shared/seeds/003_…, "Migration Execution Plan", Phase 1.2): its steps 1–5 and 8, with the checks of
// its validation lists, execution checklist and success criteria. Tier names: workspace, task_queue, proposals and
// optional orchestration_decisions.
//
// Point a workspace at the real files. All three sources are "optional": true because step 8 moves them away; until
// then the first step insists that task_queue and proposals are there, and after it a second run opens without them and
// finds every step applied.
//   sluice.json  { "tiers": {
//                    "workspace":               "/home/me/data-projects/workspace.db",
//                    "task_queue":              { "path": "/home/me/data-projects/meridian-core/logs/task_queue.db", "optional": true },
//                    "proposals":               { "path": "/home/me/data-projects/meridian-core/logs/proposals.db", "optional": true },
//                    "orchestration_decisions": { "path": "/home/me/data-projects/meridian-core/logs/orchestration_decisions.db", "optional": true } },
//                  "snapshots": "backups" }
//   sluice run playbooks/meridian-consolidation.groovy -w WS --dry-run
//   sluice run playbooks/meridian-consolidation.groovy -w WS --stop-after 'validate the consolidation'
//   … the document's steps 6 and 7 (point the Python code at workspace.db, test it) …
//   sluice run playbooks/meridian-consolidation.groovy -w WS          (only the archive step is left)
//
// Parameters: timestamp (default now, UTC, as the document's $(date +%Y%m%d_%H%M%S)); backupPrefix ('db-consolidation'):
// the backup is the snapshot BACKUP_PREFIX-TIMESTAMP in the workspace's snapshot folder, holding TIER.db (the verified
// copy, the document's *.db.backup) and TIER.db.sql (the dump) for every database; the archived files stay beside the
// originals as FILE.archived_TIMESTAMP, as in the document. expectedTasks (85), expectedMetadata (5) and
// expectedProposals (1) are the document's counts; -1 for any of them means "whatever the source holds" (each copy is
// then checked source = target only; expectedDecisions defaults to -1, the document says the file may not exist).
//
// Preconditions the document states are the playbook's `requires` block (below), checked in every run mode before anything is written (exit 18,
// every failure listed); step 1 then checks that the columns are exactly the document's, and the counts.
//
// How each document step maps:
//   1  backup everything: a verified snapshot of every database (sha256, integrity_check, counts; sizes equal the
//      originals) and an SQL dump of each, reloaded into a scratch in-memory database to prove it is valid (same tables,
//      same row counts); the counts before are noted. Run with the application stopped ("no active operations").
//   2  the consolidated schema: the document's DDL, verbatim, idempotent (IF NOT EXISTS; Sluice also looks first).
//   3, 4, 5  copies by ATTACH + INSERT … SELECT (Sluice's copy), each verified by count and checksum inside the step,
//      then checked again as expectations against the document's numbers. orchestration_decisions.db missing: the step
//      says so and is recorded as done (the table stays empty, as the document's "create table if needed").
//   —  'validate the consolidation' is the document's final validation: integrity and foreign keys of workspace.db,
//      every migrated table equal to its source, and workspace.db's own tables (workspace_tasks…) with the counts the
//      backup recorded (no data loss).
//   8  archive: archive(tier, suffix), a non-transactional action (announced, asked for in step mode, only described in
//      a dry run). Renaming a SQLite file under an open connection can corrupt it (the journal is named after the path),
//      so it detaches the file from workspace.db's connection (the copies ATTACHed it), releases this run's lock row in
//      it, refuses if any other connection holds it, closes the tier, and only then renames it and reads it back.
//      The archived file keeps Sluice's empty sluice_lock table (the run's lock bookkeeping), nothing else changes.
// Not done here: steps 6 and 7 (editing the Python code paths, testing the WMS CLI and the orchestrator) are outside
// Sluice; do them between 'validate the consolidation' and the archive step, as shown above.
// Deviations: the document's rollback "DELETE FROM tasks" is not needed (a failing copy step rolls back by itself);
// the document's "cp <db>.backup.* <db>" is 'sluice restore BACKUP_PREFIX-TIMESTAMP -w WS --tier workspace'
// (verified, keeps the current state first); archived sources come back with mv FILE.archived_TIMESTAMP FILE.
// Rollback then retry (tested in MeridianConsolidationTest): move each FILE.archived_TIMESTAMP back to FILE, then
// 'sluice restore BACKUP_PREFIX-TIMESTAMP -w WS' (every database as the backup holds it: workspace.db before the
// consolidation, with the history of this run gone), then run again; the default timestamp is the current time, so the
// retry's backup gets a name of its own.

playbook 'Meridian: consolidate task_queue, proposals and orchestration_decisions into workspace.db (seed 003)', {
    description 'Backs up every database (snapshot + SQL dump), creates the consolidated tables in workspace.db, copies ' +
            'proposals, tasks, task_queue_metadata and orchestration_decisions verified by count and checksum, validates, ' +
            'then archives the old files with a timestamp.'
    tiers 'workspace', optional: ['task_queue', 'proposals', 'orchestration_decisions']
    param 'timestamp', java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd_HHmmss').format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC))
    param 'backupPrefix', 'db-consolidation'
    param 'expectedTasks', 85
    param 'expectedMetadata', 5
    param 'expectedProposals', 1
    param 'expectedDecisions', -1

    requires {
        table task_queue, 'tasks'; table task_queue, 'task_queue_metadata'; table proposals, 'proposals'
        columns task_queue, 'tasks', *SCHEMA['tasks']                 // "Schema Change: None (direct copy), same schema"
        columns task_queue, 'task_queue_metadata', *SCHEMA['task_queue_metadata']
        columns proposals, 'proposals', *SCHEMA['proposals']
    }

    step 'back up every database', {
        expect('task_queue.db and proposals.db are there (only orchestration_decisions.db may be missing)') {
            task_queue != null && proposals != null
        }
        if (task_queue == null || proposals == null) {
            return
        }
        def dbs = [workspace, task_queue, proposals, orchestration_decisions].findAll { it != null }
        dbs.each { note "before: ${it.name()} ${it.file()}: ${userCounts(it)}" }
        if (orchestration_decisions == null) {
            note 'orchestration_decisions.db not found: it is neither backed up nor migrated'
        }
        def sources = [[task_queue, 'tasks'], [task_queue, 'task_queue_metadata'], [proposals, 'proposals']] +
                (orchestration_decisions == null ? [] : [[orchestration_decisions, 'orchestration_decisions']])
        def shapes = sources.collect { t, table -> [t, table, t.hasTable(table) ? t.columns(table)*.name() : null] }
        shapes.each { t, table, cols ->
            note(cols == null ? "found: ${t.name()} has no table $table" : "found: ${t.name()}.$table (${cols.join(', ')}): ${t.count(table)} rows")
        }
        def sameSchema = expect('every source table is there with the document\'s columns (a direct copy: "same schema")') {
            shapes.every { t, table, cols -> cols == SCHEMA[table] }
        }
        if (!sameSchema.passed()) {
            return
        }
        expect("the plan's counts: tasks ${label(expectedTasks)}, task_queue_metadata ${label(expectedMetadata)}, proposals ${label(expectedProposals)}") {
            countIs(task_queue.count('tasks'), expectedTasks) && countIs(task_queue.count('task_queue_metadata'), expectedMetadata) &&
                    countIs(proposals.count('proposals'), expectedProposals)
        }
        String name0 = "$backupPrefix-$timestamp"
        def free = expect("backup name '$name0' is free (a retry needs a new -p timestamp; the default is the current time)") {
            !Sluice.session().snapshots().list().any { it.name() == name0 }
        }
        if (!free.passed()) {
            return
        }
        note "will do: back up every database as snapshot '$name0' with SQL dumps, then create the consolidated tables in " +
                "workspace.db and copy ${sources.collect { it[1] }.join(', ')} into it"

        String name = "$backupPrefix-$timestamp"
        def snap = snapshot(name)                 // announced: every database, outside the step's transactions
        java.nio.file.Path dir = Sluice.workspace().snapshotsDir().resolve(name)   // 'workspace' is the tier here
        Map<String, java.nio.file.Path> dumps = [:]
        dbs.each { dumps[it.name()] = dump(it, dir.resolve("${it.name()}.db.sql").toString()) }
        boolean described = dryRun
        note "backup folder: $dir"
        expect("every database backed up in snapshot $name (${dbs*.name().join(', ')})") {   // names without paths: a replay elsewhere compares them
            described || dbs.every { t -> snap.files().any { it.tier() == t.name() } }
        }
        // "Backup sizes match originals": a WAL database's committed pages are partly in its -wal file, so its size is
        // page_count × page_size (what the copy holds), not the main file's length.
        expect('every backup passes integrity_check and has the size of its original (page_count × page_size)') {
            described || snap.files().every { f ->
                def t = dbs.find { it.name() == f.tier() }
                f.integrity() == 'ok' && f.bytes() == (t.query('PRAGMA page_count').value() as long) * (t.query('PRAGMA page_size').value() as long)
            }
        }
        expect('every backup holds the row counts of its original') {
            described || snap.files().every { f ->
                f.counts().findAll { !it.key.startsWith('sluice_') } == userCounts(dbs.find { it.name() == f.tier() })
            }
        }
        expect('every SQL dump is valid: it reloads into a scratch database with the same tables and row counts') {
            described || dbs.every { t -> reloadDump(dumps[t.name()]) == userCounts(t) }
        }
    }

    step 'create the consolidated schema', {
        createTable workspace, '''
            CREATE TABLE IF NOT EXISTS proposals (
                id VARCHAR(255) NOT NULL PRIMARY KEY,
                hypothesis TEXT NOT NULL,
                rationale TEXT NOT NULL,
                pattern_id VARCHAR(255),
                performance_data TEXT,
                implementation_result TEXT,
                metadata TEXT,
                status VARCHAR(50) NOT NULL,
                created_at FLOAT NOT NULL,
                reviewed_at FLOAT,
                implemented_at FLOAT,
                review_notes TEXT
            )'''
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_proposals_status ON proposals(status)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_proposals_created_at ON proposals(created_at)'

        createTable workspace, '''
            CREATE TABLE IF NOT EXISTS tasks (
                id VARCHAR(255) NOT NULL PRIMARY KEY,
                title VARCHAR(500) NOT NULL,
                description TEXT,
                status VARCHAR(100) NOT NULL,
                priority VARCHAR(50) NOT NULL,
                capability_required VARCHAR(255),
                estimated_tokens INTEGER,
                tags TEXT,
                dependencies TEXT,
                failures TEXT,
                metadata TEXT,
                file VARCHAR(500),
                created_by VARCHAR(255),
                created_at VARCHAR(100),
                updated_at VARCHAR(100),
                version INTEGER NOT NULL DEFAULT 0
            )'''
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_tasks_status ON tasks(status)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_tasks_priority ON tasks(priority)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_tasks_tags ON tasks(tags)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_tasks_updated_at ON tasks(updated_at)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_tasks_capability_required ON tasks(capability_required)'

        createTable workspace, '''
            CREATE TABLE IF NOT EXISTS task_queue_metadata (
                key VARCHAR(255) NOT NULL PRIMARY KEY,
                value TEXT,
                updated_at VARCHAR(100)
            )'''
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_task_queue_metadata_updated_at ON task_queue_metadata(updated_at)'

        createTable workspace, '''
            CREATE TABLE IF NOT EXISTS orchestration_decisions (
                id VARCHAR(255) NOT NULL PRIMARY KEY,
                timestamp FLOAT NOT NULL,
                task_id VARCHAR(255) NOT NULL,
                agent_id VARCHAR(255),
                task_type VARCHAR(255),
                success INTEGER,
                failure_reason TEXT,
                tokens_used INTEGER,
                duration_seconds FLOAT,
                dry_run INTEGER DEFAULT 0,
                decision_process TEXT,
                metadata TEXT
            )'''
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_timestamp ON orchestration_decisions(timestamp)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_task_id ON orchestration_decisions(task_id)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_agent_id ON orchestration_decisions(agent_id)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_task_type ON orchestration_decisions(task_type)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_success ON orchestration_decisions(success)'
        createIndex workspace, 'CREATE INDEX IF NOT EXISTS idx_decisions_dry_run ON orchestration_decisions(dry_run)'

        expect('all tables created: proposals, tasks, task_queue_metadata, orchestration_decisions') {
            SCHEMA.keySet().every { workspace.hasTable(it) }
        }
        expect('schema matches the design document (columns in order)') {
            SCHEMA.every { table, columns -> workspace.columns(table)*.name() == columns }
        }
        expect("all ${INDEXES.size()} indexes created") { INDEXES.every { workspace.hasIndex(it) } }
    }

    step 'migrate proposals.db', {
        def r = copy from: proposals, table: 'proposals', to: workspace
        note r.toString()
        expect('the copy verified itself (count and checksum)') { r.verified() }
        long nProposals = proposals.count('proposals')
        if (nProposals == 0) {
            note 'proposals.db holds no proposal: the count and checksum checks below hold without a row copied'
        }
        expect("proposals: ${label(expectedProposals, nProposals)} row(s) in proposals.db and in workspace.db") {
            countIs(nProposals, expectedProposals) && workspace.count('proposals') == nProposals
        }
        expect('proposals: same checksum in workspace.db as in proposals.db') {
            workspace.checksum('proposals') == proposals.checksum('proposals')
        }
    }

    step 'migrate task_queue.db', {
        def tasks = copy from: task_queue, table: 'tasks', to: workspace
        def metadata = copy from: task_queue, table: 'task_queue_metadata', to: workspace
        note tasks.toString()
        note metadata.toString()
        expect('both copies verified themselves (count and checksum)') { tasks.verified() && metadata.verified() }
        long nTasks = task_queue.count('tasks')
        long nMetadata = task_queue.count('task_queue_metadata')
        expect("tasks: ${label(expectedTasks, nTasks)} rows in task_queue.db and in workspace.db") {
            countIs(nTasks, expectedTasks) && workspace.count('tasks') == nTasks
        }
        expect("task_queue_metadata: ${label(expectedMetadata, nMetadata)} rows in task_queue.db and in workspace.db") {
            countIs(nMetadata, expectedMetadata) && workspace.count('task_queue_metadata') == nMetadata
        }
        expect('tasks and task_queue_metadata: same checksums in workspace.db as in task_queue.db') {
            workspace.checksum('tasks') == task_queue.checksum('tasks') &&
                    workspace.checksum('task_queue_metadata') == task_queue.checksum('task_queue_metadata')
        }
    }

    step 'migrate orchestration_decisions.db (if present)', {
        if (orchestration_decisions == null) {
            note 'orchestration_decisions.db not found - skipping migration (the table created in step 2 stays empty)'
            expect('orchestration_decisions exists in workspace.db and is empty') {
                workspace.hasTable('orchestration_decisions') && workspace.count('orchestration_decisions') == 0
            }
            return
        }
        def r = copy from: orchestration_decisions, table: 'orchestration_decisions', to: workspace
        note r.toString()
        long n = orchestration_decisions.count('orchestration_decisions')
        expect('the copy verified itself (count and checksum)') { r.verified() }
        expect("orchestration_decisions: $n row(s) in orchestration_decisions.db and in workspace.db" +
                (expectedDecisions < 0 ? '' : " (the plan says $expectedDecisions)")) {
            workspace.count('orchestration_decisions') == n && (expectedDecisions < 0 || n == expectedDecisions)
        }
        expect('orchestration_decisions: same checksum in workspace.db as in orchestration_decisions.db') {
            workspace.checksum('orchestration_decisions') == orchestration_decisions.checksum('orchestration_decisions')
        }
    }

    step 'validate the consolidation', {
        expect('workspace.db passes integrity_check') { workspace.integrity().ok() }
        expect('workspace.db passes foreign_key_check') { workspace.foreignKeyCheck().ok() }
        def migrated = ['proposals': proposals, 'tasks': task_queue, 'task_queue_metadata': task_queue,
                        'orchestration_decisions': orchestration_decisions].findAll { it.value != null }
        expect("all record counts and checksums match 100% (${migrated.keySet().join(', ')})") {
            migrated.every { table, source -> workspace.checksum(table) == source.checksum(table) }
        }
        expect('no duplicate records (every migrated id is unique)') {
            migrated.keySet().every { table ->
                String key = table == 'task_queue_metadata' ? 'key' : 'id'
                workspace.query("SELECT count(*) - count(DISTINCT \"$key\") FROM \"$table\"").value() == 0L
            }
        }
        String name = "$backupPrefix-$timestamp"
        boolean described = dryRun
        expect("no data loss: workspace.db's own tables have the counts backup $name recorded") {
            described || {
                def before = Sluice.session().snapshots().get(name).files().find { it.tier() == 'workspace' }.counts()
                        .findAll { !it.key.startsWith('sluice_') && !SCHEMA.containsKey(it.key) }
                before == userCounts(workspace).findAll { !SCHEMA.containsKey(it.key) }
            }()
        }
    }

    step 'archive the old database files', {
        String suffix = ".archived_$timestamp"
        def sources = [task_queue, proposals, orchestration_decisions].findAll { it != null }
        Map<String, java.nio.file.Path> files = sources.collectEntries { [(it.name()): it.file().toAbsolutePath()] }
        sources.each { t ->
            def a = archive(t, suffix)               // announced: closes the tier, then renames its file
            if (a != null) {
                note a.toString()
            }
        }
        boolean described = dryRun
        files.each { tier, file ->
            expect("$tier archived as ${file.fileName}$suffix") {
                described || !java.nio.file.Files.exists(file) && java.nio.file.Files.isRegularFile(file.resolveSibling("${file.fileName}$suffix"))
            }
        }
        // The sources' counts as the backup recorded them (the document's numbers when given).
        def backedUp = { String tier, String table ->
            Sluice.session().snapshots().get("$backupPrefix-$timestamp").files().find { it.tier() == tier }?.counts()?.get(table)
        }
        expect("workspace.db still holds the sources' tasks, task_queue_metadata and proposals") {
            described || workspace.count('tasks') == (expectedTasks < 0 ? backedUp('task_queue', 'tasks') : expectedTasks) &&
                    workspace.count('task_queue_metadata') == (expectedMetadata < 0 ? backedUp('task_queue', 'task_queue_metadata') : expectedMetadata) &&
                    workspace.count('proposals') == (expectedProposals < 0 ? backedUp('proposals', 'proposals') : expectedProposals)
        }
    }
}

// ---- the document's schema, for the checks

@groovy.transform.Field
static final Map<String, List<String>> SCHEMA = [
        proposals              : ['id', 'hypothesis', 'rationale', 'pattern_id', 'performance_data', 'implementation_result', 'metadata',
                                  'status', 'created_at', 'reviewed_at', 'implemented_at', 'review_notes'],
        tasks                  : ['id', 'title', 'description', 'status', 'priority', 'capability_required', 'estimated_tokens', 'tags',
                                  'dependencies', 'failures', 'metadata', 'file', 'created_by', 'created_at', 'updated_at', 'version'],
        task_queue_metadata    : ['key', 'value', 'updated_at'],
        orchestration_decisions: ['id', 'timestamp', 'task_id', 'agent_id', 'task_type', 'success', 'failure_reason', 'tokens_used',
                                  'duration_seconds', 'dry_run', 'decision_process', 'metadata'],
]

@groovy.transform.Field
static final List<String> INDEXES = ['idx_proposals_status', 'idx_proposals_created_at', 'idx_tasks_status', 'idx_tasks_priority',
                                     'idx_tasks_tags', 'idx_tasks_updated_at', 'idx_tasks_capability_required',
                                     'idx_task_queue_metadata_updated_at', 'idx_decisions_timestamp', 'idx_decisions_task_id',
                                     'idx_decisions_agent_id', 'idx_decisions_task_type', 'idx_decisions_success', 'idx_decisions_dry_run']

// ---- helpers

/** True when {@code n} is what the document (or -p) expects; -1 expects whatever the source holds. */
boolean countIs(long n, expected) {
    (expected as long) < 0 || n == (expected as long)
}

/** How an expected count reads in an expectation: the number, or "as found" (with the count found, when known). */
String label(expected, Long found = null) {
    (expected as long) >= 0 ? "$expected" : (found == null ? 'as found' : "$found (as found)")
}

/** Row counts of a tier's tables, Sluice's own bookkeeping (sluice_*) left out, by table name. */
Map<String, Long> userCounts(tier) {
    new TreeMap(tier.tables().findAll { !it.startsWith('sluice_') }.collectEntries { [(it): tier.count(it)] })
}

/** Loads an SQL dump into a scratch in-memory database and returns its row counts (sluice_* left out), by table name. */
Map<String, Long> reloadDump(java.nio.file.Path file) {
    def c = java.sql.DriverManager.getConnection('jdbc:sqlite::memory:')
    try {
        def st = c.createStatement()
        SqlLexer.statements(new String(java.nio.file.Files.readAllBytes(file), 'UTF-8'), dev.sluice.workspace.Engine.SQLITE)
                .each { st.execute(it.text()) }
        def tables = []
        def rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'sluice\\_%' ESCAPE '\\'")
        while (rs.next()) {
            tables << rs.getString(1)
        }
        rs.close()
        new TreeMap(tables.collectEntries { t ->
            def r = st.executeQuery("SELECT count(*) FROM \"${t.replace('"', '""')}\"")
            long n = r.getLong(1)
            r.close()
            [(t): n]
        })
    } finally {
        c.close()
    }
}
