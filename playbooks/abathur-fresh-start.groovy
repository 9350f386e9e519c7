// Abathur fresh start: initialises a new Abathur memory database from nothing.
// From seed 001 (../shared/seeds/001_…, "Migration Strategy - Fresh Start Approach"), sections 2 and 3, checked against
// sections 4.1, 5.3, 6.2 and 8.1. Tier name: abathur.
//
// Point a workspace at the real file (it is created when missing, hence "create": true):
//   sluice.json   { "tiers": { "abathur": { "path": "/var/lib/abathur/abathur.db", "create": true,
//                                            "pragmas": { "synchronous": "NORMAL", "wal_autocheckpoint": "1000" } } },
//                   "snapshots": "backups" }
//   sluice run playbooks/abathur-fresh-start.groovy -w WORKSPACE            (step by step; or --yes, --dry-run)
//
// Pragmas. Only journal_mode=WAL is stored in the database file; the playbook sets it as an announced non-transactional
// action. synchronous, foreign_keys, busy_timeout and wal_autocheckpoint belong to each connection: the application must
// set them on every connection it opens (section 2.1 does). Sluice's own connection gets foreign_keys=ON and
// busy_timeout=5000 by default and the other two from the workspace's "pragmas" (shown above); step 1 checks all five
// on this connection, so a workspace without them fails there with the expectation saying what to add.
//
// What is ours, not the document's:
// - agents, state, audit, metrics and checkpoints are only referenced by the document ("see schema-tables.md", not
//   provided). Their columns here are minimal and ours; what they keep from the document is their place in the creation
//   order and the foreign keys it names: agents -> tasks, sessions; audit -> agents, tasks, memory_entries;
//   checkpoints -> tasks, sessions. "All other indexes from schema-indexes.md" are likewise not provided: only the four
//   indexes the document spells out are created.
// - Seed rows are inserted with explicit created_at/updated_at (parameter seededAt) and the example session with a fixed
//   id (parameter exampleSessionId) instead of uuid4() and now(), so two runs give the same rows and checksums and a
//   journal replays. The JSON values are the document's, byte for byte as Python's json.dumps writes them.
// - The document seeds with plain INSERTs; here each seed row is inserted only when absent (ON CONFLICT DO NOTHING on
//   its unique key), so the step is idempotent even without Sluice's history.
// - The document's performance targets (<50 ms reads, 50 concurrent sessions) are not checked here.
//
// Section 6.2 step 1 ("mkdir -p /var/lib/abathur; chmod 700 /var/lib/abathur") is the first step: the folder holding the
// database file is made rwx------ (POSIX file systems only; elsewhere the step says it skipped it). It changes the folder
// the workspace points at, so point "path" at a folder of its own, as the document does (-p chmodDir=false to leave it).
// The same step checks the fresh start's premise ("no existing production data"): the file holds no table besides the
// ones this playbook creates (and Sluice's own), and says what it found.
//
// Rollback (section 5.1): stop the application, delete the file (abathur.db and its -wal/-shm), run this playbook again
// (the file and Sluice's history in it go together, so every step runs again), then PRAGMA integrity_check (its last
// step). Tested in AbathurFreshStartTest.
//
// The document's premise (a fresh start: no existing data) is the playbook's `requires` block, checked in every run
// mode before anything is written (exit 18); the per-connection pragmas are checked by step 2 where they apply.
import dev.sluice.error.SluiceException

playbook 'Abathur fresh start (seed 001)', {
    description 'Creates the Abathur schema in dependency order with its CHECK constraints and indexes, seeds the ' +
            'default memories and an example session, then checks integrity and foreign keys.'
    tiers 'abathur'
    param 'exampleSessionId', '00000000-0000-4000-8000-000000000001'
    param 'seededAt', '2025-10-10T00:00:00+00:00'
    param 'chmodDir', true

    requires {
        check('a fresh start: the file holds no table but the ones this playbook creates', fix: 'Point the tier at a new or empty ' +
                'file; this playbook creates a database, it does not migrate one') {
            abathur.tables().findAll { !it.startsWith('sluice_') }.every { it in SCHEMA_TABLES }
        }
    }

    step 'database folder: chmod 700, and nothing in the file yet', {
        def dir = abathur.file().toAbsolutePath().parent
        def found = abathur.tables().findAll { !it.startsWith('sluice_') }
        note "found: ${abathur.file().toAbsolutePath()}, " + (found ? "tables ${found.join(', ')}" : 'no table (a fresh start)')
        def fresh = expect('no table but the ones this playbook creates (a fresh start: the document has no existing data)') {
            found.every { it in SCHEMA_TABLES }
        }
        if (!fresh.passed()) {
            return   // not ours: the folder's permissions are left alone too
        }
        boolean posix = java.nio.file.Files.getFileStore(dir).supportsFileAttributeView('posix')
        if (!chmodDir) {
            note "chmodDir=false: the permissions of $dir are left as they are"
        } else if (!posix) {
            note "$dir is not on a POSIX file system: chmod 700 skipped (set its access rights by the platform's means)"
        } else if (dryRun) {
            note "dry run: would chmod 700 $dir (now ${java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(dir))})"
        } else {
            def before = java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(dir))
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString('rwx------'))
            note(before == 'rwx------' ? "$dir was already rwx------: nothing to change" : "chmod 700 $dir (was $before)")
            expect('the database folder is rwx------ (section 6.2: chmod 700)') {
                java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(dir)) == 'rwx------'
            }
        }
    }

    step 'pragmas: WAL journal and connection settings', {
        journalMode abathur, 'WAL'   // stored in the file header: announced, run outside the transaction
        boolean described = dryRun   // under --dry-run the switch is only described
        expect('journal_mode is wal (persistent)') { described || abathur.query('PRAGMA journal_mode').value() == 'wal' }
        expect('synchronous is NORMAL on this connection (per connection: "pragmas": {"synchronous": "NORMAL"})') {
            abathur.query('PRAGMA synchronous').value() == 1L
        }
        expect('foreign_keys is ON on this connection (per connection)') { abathur.query('PRAGMA foreign_keys').value() == 1L }
        expect('busy_timeout is 5000 on this connection (per connection)') { abathur.query('PRAGMA busy_timeout').value() == 5000L }
        expect('wal_autocheckpoint is 1000 on this connection (per connection: "pragmas": {"wal_autocheckpoint": "1000"})') {
            abathur.query('PRAGMA wal_autocheckpoint').value() == 1000L
        }
    }

    step 'core tables: sessions, memory_entries, document_index', {
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                app_name TEXT NOT NULL,
                user_id TEXT NOT NULL,
                project_id TEXT,
                status TEXT NOT NULL DEFAULT 'created',
                events TEXT NOT NULL DEFAULT '[]',
                state TEXT NOT NULL DEFAULT '{}',
                metadata TEXT DEFAULT '{}',
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                last_update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                terminated_at TIMESTAMP,
                archived_at TIMESTAMP,
                CHECK(status IN ('created', 'active', 'paused', 'terminated', 'archived')),
                CHECK(json_valid(events)),
                CHECK(json_valid(state)),
                CHECK(json_valid(metadata))
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS memory_entries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                namespace TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                memory_type TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 1,
                is_deleted BOOLEAN NOT NULL DEFAULT 0,
                metadata TEXT DEFAULT '{}',
                created_by TEXT,
                updated_by TEXT,
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                CHECK(memory_type IN ('semantic', 'episodic', 'procedural')),
                CHECK(json_valid(value)),
                CHECK(json_valid(metadata)),
                CHECK(version > 0),
                UNIQUE(namespace, key, version)
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS document_index (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                file_path TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                document_type TEXT,
                content_hash TEXT NOT NULL,
                chunk_count INTEGER DEFAULT 1,
                embedding_model TEXT,
                embedding_blob BLOB,
                metadata TEXT DEFAULT '{}',
                last_synced_at TIMESTAMP,
                sync_status TEXT DEFAULT 'pending',
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                CHECK(sync_status IN ('pending', 'synced', 'failed', 'stale')),
                CHECK(json_valid(metadata))
            )'''
        expect('sessions, memory_entries and document_index exist') {
            ['sessions', 'memory_entries', 'document_index'].every { abathur.hasTable(it) }
        }
        // Each probe runs inside a savepoint that is always rolled back: no row is left whatever happens.
        expect('sessions refuses an unknown status') {
            rejected(abathur, "INSERT INTO sessions (id, app_name, user_id, status) VALUES ('probe', 'a', 'u', 'sleeping')")
        }
        expect('sessions refuses invalid JSON in events, state and metadata') {
            rejected(abathur, "INSERT INTO sessions (id, app_name, user_id, events) VALUES ('probe', 'a', 'u', '[not json')") &&
                    rejected(abathur, "INSERT INTO sessions (id, app_name, user_id, state) VALUES ('probe', 'a', 'u', '{oops')") &&
                    rejected(abathur, "INSERT INTO sessions (id, app_name, user_id, metadata) VALUES ('probe', 'a', 'u', 'nope')")
        }
        expect('memory_entries refuses invalid JSON, an unknown memory_type and version 0') {
            rejected(abathur, "INSERT INTO memory_entries (namespace, key, value, memory_type) VALUES ('n', 'k', '{bad', 'semantic')") &&
                    rejected(abathur, "INSERT INTO memory_entries (namespace, key, value, memory_type) VALUES ('n', 'k', '1', 'dream')") &&
                    rejected(abathur, "INSERT INTO memory_entries (namespace, key, value, memory_type, version) VALUES ('n', 'k', '1', 'semantic', 0)")
        }
        expect('memory_entries refuses a second row with the same namespace, key and version') {
            rejected(abathur, "INSERT INTO memory_entries (namespace, key, value, memory_type) VALUES ('n', 'k', '1', 'semantic'), ('n', 'k', '2', 'semantic')")
        }
        expect('document_index refuses an unknown sync_status and a duplicate file_path') {
            rejected(abathur, "INSERT INTO document_index (file_path, title, content_hash, sync_status) VALUES ('a.md', 't', 'h', 'lost')") &&
                    rejected(abathur, "INSERT INTO document_index (file_path, title, content_hash) VALUES ('a.md', 't', 'h'), ('a.md', 't', 'h')")
        }
        expect('the probes left no row') {
            abathur.count('sessions', "id = 'probe'") == 0 && abathur.count('memory_entries', "namespace = 'n'") == 0 &&
                    abathur.count('document_index', "file_path = 'a.md'") == 0
        }
    }

    step 'application tables: tasks, agents, state, audit, metrics, checkpoints', {
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS tasks (
                id TEXT PRIMARY KEY,
                prompt TEXT NOT NULL,
                agent_type TEXT NOT NULL DEFAULT 'general',
                priority INTEGER NOT NULL DEFAULT 5,
                status TEXT NOT NULL,
                input_data TEXT NOT NULL,
                result_data TEXT,
                error_message TEXT,
                retry_count INTEGER DEFAULT 0,
                max_retries INTEGER DEFAULT 3,
                max_execution_timeout_seconds INTEGER DEFAULT 3600,
                submitted_at TIMESTAMP NOT NULL,
                started_at TIMESTAMP,
                completed_at TIMESTAMP,
                last_updated_at TIMESTAMP NOT NULL,
                created_by TEXT,
                parent_task_id TEXT,
                dependencies TEXT,
                session_id TEXT,
                FOREIGN KEY (parent_task_id) REFERENCES tasks(id),
                FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE SET NULL
            )'''
        // Not in the document (schema-tables.md is not provided): minimal columns of ours, the document's foreign keys.
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS agents (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                specialization TEXT,
                task_id TEXT,
                session_id TEXT,
                state TEXT NOT NULL,
                spawned_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                terminated_at TIMESTAMP,
                FOREIGN KEY (task_id) REFERENCES tasks(id),
                FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE SET NULL
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS state (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                task_id TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                UNIQUE(task_id, key)
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                timestamp TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                agent_id TEXT,
                task_id TEXT,
                memory_entry_id INTEGER,
                action_type TEXT NOT NULL,
                action_data TEXT,
                result TEXT,
                FOREIGN KEY (agent_id) REFERENCES agents(id),
                FOREIGN KEY (task_id) REFERENCES tasks(id),
                FOREIGN KEY (memory_entry_id) REFERENCES memory_entries(id)
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS metrics (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                timestamp TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                metric_name TEXT NOT NULL,
                metric_value REAL NOT NULL,
                labels TEXT
            )'''
        createTable abathur, '''
            CREATE TABLE IF NOT EXISTS checkpoints (
                task_id TEXT NOT NULL,
                iteration INTEGER NOT NULL,
                state TEXT NOT NULL,
                session_id TEXT,
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                PRIMARY KEY (task_id, iteration),
                FOREIGN KEY (task_id) REFERENCES tasks(id),
                FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE SET NULL
            )'''
        expect('tasks, agents, state, audit, metrics and checkpoints exist') {
            ['tasks', 'agents', 'state', 'audit', 'metrics', 'checkpoints'].every { abathur.hasTable(it) }
        }
        expect('the foreign keys the document names are declared') {
            references(abathur, 'tasks') == ['sessions', 'tasks'] && references(abathur, 'agents') == ['sessions', 'tasks'] &&
                    references(abathur, 'audit') == ['agents', 'memory_entries', 'tasks'] &&
                    references(abathur, 'checkpoints') == ['sessions', 'tasks']
        }
        expect('a task pointing at a missing session is refused (foreign keys enforced)') {
            rejected(abathur, """INSERT INTO tasks (id, prompt, status, input_data, submitted_at, last_updated_at, session_id)
                                 VALUES ('probe', 'p', 'pending', '{}', '2025-10-10', '2025-10-10', 'no-such-session')""")
        }
        expect('the probe left no row') { abathur.count('tasks') == 0 }
    }

    step 'indexes, including the partial ones', {
        createIndex abathur, '''
            CREATE INDEX idx_sessions_status_updated
            ON sessions(status, last_update_time DESC)
            WHERE status IN ('active', 'paused')'''
        createIndex abathur, '''
            CREATE INDEX idx_sessions_user_created
            ON sessions(user_id, created_at DESC)'''
        createIndex abathur, '''
            CREATE INDEX idx_memory_namespace_key_version
            ON memory_entries(namespace, key, is_deleted, version DESC)'''
        createIndex abathur, '''
            CREATE INDEX idx_memory_type_updated
            ON memory_entries(memory_type, updated_at DESC)
            WHERE is_deleted = 0'''
        expect('the four indexes exist') {
            ['idx_sessions_status_updated', 'idx_sessions_user_created', 'idx_memory_namespace_key_version',
             'idx_memory_type_updated'].every { abathur.hasIndex(it) }
        }
        expect('idx_sessions_status_updated and idx_memory_type_updated are partial') {
            abathur.indexes('sessions').find { it.name() == 'idx_sessions_status_updated' }?.where() == "status IN ('active', 'paused')" &&
                    abathur.indexes('memory_entries').find { it.name() == 'idx_memory_type_updated' }?.where() == 'is_deleted = 0'
        }
        expect('a namespace/key lookup uses idx_memory_namespace_key_version (EXPLAIN QUERY PLAN)') {
            abathur.query("EXPLAIN QUERY PLAN SELECT * FROM memory_entries WHERE namespace = ? AND key = ? AND is_deleted = 0",
                    'app:abathur:config', 'memory_lifecycle_policies').any { it.get(3).toString().contains('idx_memory_namespace_key_version') }
        }
    }

    step 'seed application-wide memories', {
        def seeds = [
                ['app:abathur:agent_instructions', 'default_workflow', 'procedural',
                 '{"steps": ["Read and analyze task requirements", "Retrieve relevant context from memory", "Execute task with best practices", "Update session state and memory", "Log audit trail"], "error_handling": "Always provide detailed error messages", "logging": "Comprehensive audit logging enabled"}'],
                ['app:abathur:defaults', 'user_preference_template', 'semantic',
                 '{"communication_style": "balanced", "technical_level": "intermediate", "response_length": "moderate", "code_comments": true}'],
                ['app:abathur:config', 'memory_lifecycle_policies', 'procedural',
                 '{"episodic_ttl_days": 90, "consolidation_frequency": "weekly", "archival_after_days": 365}'],
        ]
        for (s in seeds) {
            abathur.exec('''INSERT INTO memory_entries (namespace, key, value, memory_type, created_by, created_at, updated_at)
                            VALUES (?, ?, ?, ?, 'system', datetime(?), datetime(?))
                            ON CONFLICT (namespace, key, version) DO NOTHING''', s[0], s[1], s[3], s[2], seededAt, seededAt)
        }
        expect('three system memories, version 1, not deleted') {
            abathur.count('memory_entries', "created_by = 'system' AND version = 1 AND is_deleted = 0") == 3
        }
        expect('two procedural and one semantic') {
            abathur.count('memory_entries', "memory_type = 'procedural'") == 2 && abathur.count('memory_entries', "memory_type = 'semantic'") == 1
        }
        expect('the values are the document\'s JSON') {
            abathur.query("SELECT json_array_length(value, '\$.steps') FROM memory_entries WHERE key = 'default_workflow'").value() == 5L &&
                    abathur.query("SELECT json_extract(value, '\$.code_comments') FROM memory_entries WHERE key = 'user_preference_template'").value() == 1L &&
                    abathur.query("SELECT json_extract(value, '\$.episodic_ttl_days') FROM memory_entries WHERE key = 'memory_lifecycle_policies'").value() == 90L
        }
    }

    step 'seed the example session', {
        String ts = seededAt
        abathur.exec('''INSERT INTO sessions (id, app_name, user_id, status, events, state, created_at, last_update_time)
                        VALUES (?, 'abathur', 'example_user', 'created', ?, ?, datetime(?), datetime(?))
                        ON CONFLICT (id) DO NOTHING''',
                exampleSessionId,
                '[{"event_id": "evt_001", "timestamp": "' + ts + '", "event_type": "message", "actor": "user", "content": {"message": "Initialize example session"}, "is_final_response": false}]',
                '{"session:example:initialized": true, "user:example_user:first_session": true}',
                ts, ts)
        expect('one example session, status created') {
            abathur.count('sessions', "id = ? AND app_name = 'abathur' AND user_id = 'example_user' AND status = 'created'", exampleSessionId) == 1
        }
        expect('its events hold one message event and its state two flags') {
            abathur.query("SELECT json_array_length(events) FROM sessions WHERE id = ?", exampleSessionId).value() == 1L &&
                    abathur.query("SELECT json_extract(state, '\$.\"session:example:initialized\"') FROM sessions WHERE id = ?", exampleSessionId).value() == 1L
        }
    }

    step 'verify: integrity_check and foreign_key_check', {
        expect('integrity_check is ok') { abathur.integrity().ok() }
        expect('foreign_key_check finds nothing') { abathur.foreignKeyCheck().ok() }
        expect('every table of section 6.2 is there, and state') {
            ['sessions', 'memory_entries', 'document_index', 'tasks', 'agents', 'state', 'audit', 'metrics', 'checkpoints']
                    .every { abathur.hasTable(it) }
        }
        expect('three seeded memories and one session') { abathur.count('memory_entries') == 3 && abathur.count('sessions') == 1 }
    }
}

/** Every table this playbook creates: a fresh start finds none but these. */
@groovy.transform.Field
static final List<String> SCHEMA_TABLES = ['sessions', 'memory_entries', 'document_index', 'tasks', 'agents', 'state', 'audit',
                                           'metrics', 'checkpoints']

/** True when {@code sql} is refused by a constraint; runs in a savepoint that is always rolled back, so no row is left. */
boolean rejected(Tier tier, String sql) {
    tier.exec('SAVEPOINT sluice_probe')
    try {
        tier.exec(sql)
        return false
    } catch (SluiceException e) {
        return e.message.contains('constraint failed')
    } finally {
        tier.exec('ROLLBACK TO sluice_probe')
        tier.exec('RELEASE sluice_probe')
    }
}

/** The tables a table's foreign keys point at, sorted and distinct. */
List<String> references(Tier tier, String table) {
    tier.query('SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1', table).collect { it.get(0) as String }
}
