// Voice agent v1 → v2: move the conversation captures from v1's SQLite learning_captures.db into v2's PostgreSQL
// (seed 004, "Voice Agent v2.0 Migration Plan", section "Data Migration", Steps 1–4, and Phase 3's verification).
//
// What it does, in the document's order:
//   1. pre-flight: learning_captures.db passes integrity_check and is opened read-only; its captures are counted; the
//      FTS5 index (captures_fts, kept in sync by triggers) is present, covers exactly the captures and answers searches;
//      the rows fit the v2 column types (NOT NULL text, session_id ≤ 255 characters, metadata valid JSON, timestamps
//      without a zone offset); the warehouse answers;
//   2. Step 1 "Backup": one verified snapshot of learning_captures.db (the document's cp … learning_captures_backup_DATE.db)
//      and of the warehouse (Sluice's PostgreSQL snapshot: pg_dump of its schema, every table's count and checksum read
//      in the dump's own transaction snapshot), taken before Step 2 changes anything;
//   3. Step 2 "Schema Creation": the document's v2 tables in PostgreSQL, as written: users, captures, sessions, concepts,
//      capture_concepts (types, defaults, NOT NULL and foreign keys kept; see the notes below);
//   4. Step 3 "Data Transfer": the document's INSERT (id, session_id, timestamp, user_text, agent_text, metadata), in one
//      transaction: the six columns are copied exactly (COPY, verified by count and cross-engine checksum) into a
//      staging table, converted into captures (timestamp text → TIMESTAMP, metadata text → JSONB), every converted row
//      checked against its staged original, the staging table dropped, and the BIGSERIAL sequence moved past the highest
//      copied id (the document's script leaves it at 1, so v2's first INSERT would collide);
//   5. Step 4 "Verification": count parity, checksums of the unconverted columns equal across engines, the document's
//      "user_text IS NULL" query, and 10 random records spot-checked field by field against SQLite;
//   6. the source unchanged: learning_captures.db byte-identical to its backup (SHA-256), same checksum as the
//      warehouse's copy, FTS5 index still consistent (v1's fallback search, the document's Phase 3 rollback plan).
// Every write is guarded (tables and indexes created unless present, the copy refuses a non-empty captures table),
// applied steps are skipped, so a second run changes nothing.
//
// Pointing a workspace at the real files (tier names are fixed: captures, warehouse):
//   {
//     "tiers": {
//       "captures":  { "path": "/srv/voice-agent/learning_captures.db", "readOnly": true },
//       "warehouse": { "url": "jdbc:postgresql://db.internal:5432/voice_agent", "user": "migrator", "password": "${PGPASSWORD}" }
//     },
//     "snapshots": "backups"
//   }
//   sluice run playbooks/voice-agent-v2.groovy -w WS --dry-run     # every step, all rolled back: PostgreSQL unchanged
//   sluice run playbooks/voice-agent-v2.groovy -w WS --yes
// "readOnly": true opens learning_captures.db with SQLITE_OPEN_READONLY: Sluice cannot change it, not even a lock row
// (pre-flight fails when the tier is not read-only). Stop v1's writers first (the document's parallel operation keeps
// v1 on SQLite until the cut-over): captures written after the copy are not in v2. Parameters: -p fts=NAME (the FTS5
// table; default: discovered, the FTS5 table whose content is captures), -p backup=NAME (the snapshot's name, default
// learning_captures_backup_ plus the current UTC time, so each run, a retry after a rollback too, has its own).
//
// Rollback (the document's "Data Rollback": pg_restore --clean --dbname $DATABASE_URL latest_backup.dump): Step 1's
// snapshot BACKUPS/BACKUP/ holds the warehouse as warehouse.pgdump (pg_dump -Fc of its schema) with a manifest of every
// table's count and checksum. playbooks/voice-agent-v2-rollback.groovy (-p backup=NAME, default the latest backup this
// playbook took) restores the warehouse from it with Sluice's verified restore: the state before kept as a snapshot
// first, then pg_restore --clean of the dump in one transaction, with every table this migration created gone (the
// restore empties the schema first; pg_restore --clean alone drops only what the dump holds), every table's count and
// checksum checked against the manifest, and no other table left. This playbook's history goes back with the warehouse
// (the rollback forgets pre-flight's row too), so a retry runs every step again. pg_dump (here), pg_restore and psql
// (the rollback) must be on PATH, their major version at least the server's. learning_captures.db is opened read-only,
// so it needs no restore.
//
// Preconditions the document states are the playbook's `requires` block (below): every run mode checks them before
// anything is written and lists every failure (exit 18); pre-flight shows them again with what it found. The FTS5 index
// is discovered by pre-flight (its name is not in the document), and the warehouse is a tier, so it must answer to open.
//
// Notes on the document, and what we chose:
//   - The document never shows v1's SQLite DDL. Its scripts read id, session_id, timestamp, user_text, agent_text and
//     metadata from captures; those six are what is copied (columns:), other v1 columns are left behind, as the
//     document's INSERT does. Its "Source information" has no v2 column: v1 keeps it inside metadata.
//   - Its CREATE TABLE captures declares "INDEX idx_user_session (user_id, session_id), INDEX idx_timestamp (timestamp
//     DESC)" inside the table, which is MySQL syntax PostgreSQL refuses: they are CREATE INDEX statements here, same
//     names and columns. users is created because captures.user_id references it (gen_random_uuid() is built in from
//     PostgreSQL 13; older servers need CREATE EXTENSION pgcrypto). user_id and embedding_id stay NULL: v1 has no users
//     and embeddings are out of scope.
//   - A NULL v1 timestamp stays NULL (the document inserts it explicitly, so DEFAULT NOW() does not apply).
//   - The document's v2 search is semantic (ChromaDB embeddings, /v2/search); it asks for no PostgreSQL full-text index,
//     so none is created. FTS5 stays in SQLite as v1's search and the documented fallback ("Fall back to FTS5 search"),
//     which is why its consistency is checked before and after.
//   - The document's spot check samples ids from range(1, count), assuming ids without gaps; spotCheck samples existing
//     ids. Its verification also counts ChromaDB documents: out of scope.
// Out of scope (no tier for them, or no way to roll them back with a step): embeddings and the ChromaDB collection, the
// Neo4j knowledge graph, the Redis session state (Step 1's redis-cli backup, the sessions table stays empty), the R2/S3
// upload of the backups, users/API keys/devices (new in v2), feature flags and traffic switching.

import dev.sluice.dsl.Sluice
import dev.sluice.tier.Identifiers

playbook 'Voice agent v1 → v2: captures from SQLite into PostgreSQL', {
    description 'Checks learning_captures.db and its FTS5 index, backs it up, creates the v2 schema in PostgreSQL, copies ' +
            'captures with count parity and checksums, spot-checks 10 random records, and proves the source unchanged (seed 004).'
    tiers 'warehouse', 'captures'     // warehouse first: step history is written there, captures is read-only
    param 'fts', ''
    param 'backup', 'learning_captures_backup_' + java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd_HHmmss')
            .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC))

    requires {
        check('learning_captures.db opened read-only ("Keep SQLite as read-only archive")', fix: 'Set "readOnly": true on the captures tier in sluice.json') { captures.readOnly() }
        table captures, 'captures'
        columns captures, 'captures', 'id', 'session_id', 'timestamp', 'user_text', 'agent_text', 'metadata'
        check('pg_dump on PATH (the warehouse backup the rollback restores)', fix: 'Install the PostgreSQL client tools (pg_dump, pg_restore, psql)') { pgToolVersion('pg_dump') != null }
    }

    step 'pre-flight: source, FTS5 index, warehouse', {
        def shape = expect("learning_captures.db has captures with the document's columns (${COPIED.join(', ')})") {
            captures.hasTable('captures') && COPIED.every { c -> captures.hasColumn('captures', c) }
        }
        if (!shape.passed()) {
            note "found: ${captures.tables().join(', ') ?: 'no table'}" +
                    (captures.hasTable('captures') ? "; captures has ${captures.columns('captures')*.name().join(', ')}" : '')
            return
        }
        String ftsName = ftsTable(captures, fts)
        long rows = captures.count('captures')
        def others = captures.columns('captures')*.name() - COPIED
        note "found: FTS5 index ${ftsName ?: '(none)'}" + (others ? "; v1 columns left behind (the document's INSERT does not read them): ${others.join(', ')}" : '')
        note "will do: back up learning_captures.db and the warehouse (${warehouse.tables().size()} table(s) now) as snapshot '$backup', " +
                'then create the v2 tables and copy the captures'
        if (rows == 0) {
            note 'learning_captures.db holds no capture: the count, checksum and spot checks below hold without a row copied'
        }
        note "learning_captures.db: ${String.format('%,d', rows)} captures, ${captures.file().toFile().length()} bytes, sha256 ${fileSha256(captures)}"
        expect('learning_captures.db is opened read-only') { captures.readOnly() }
        expect('learning_captures.db passes integrity_check') { captures.integrity().ok() }
        def ftsThere = expect("FTS5 index '$ftsName' present (the document: FTS5 index auto-synced with captures)") { ftsName != null && captures.hasTable(ftsName) }
        if (!ftsThere.passed()) {
            return
        }
        expect("FTS5 index '$ftsName' covers exactly the $rows captures") { ftsMissing(captures, ftsName) == 0 && ftsExtra(captures, ftsName) == 0 }
        expect("FTS5 index '$ftsName' finds sampled captures by a word of their text") { ftsAnswers(captures, ftsName) }
        expect('session_id, user_text, agent_text present in every capture (NOT NULL in v2)') {
            captures.count('captures', 'session_id IS NULL OR user_text IS NULL OR agent_text IS NULL') == 0
        }
        expect('every session_id fits VARCHAR(255)') { captures.count('captures', 'length(session_id) > 255') == 0 }
        expect('every metadata is valid JSON (JSONB in v2)') { captures.count('captures', 'metadata IS NOT NULL AND NOT json_valid(metadata)') == 0 }
        expect('every timestamp is a date-time without zone offset (TIMESTAMP in v2)') {
            captures.count('captures', '''"timestamp" IS NOT NULL AND (typeof("timestamp") <> 'text' OR datetime("timestamp") IS NULL
                    OR "timestamp" GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR "timestamp" GLOB '*[Zz]')''') == 0
        }
        expect('warehouse (PostgreSQL) answers') { warehouse.query('SELECT 1').value() == 1 }
        expect("backup name '$backup' is free (a retry needs a new -p backup; the default is the current time)") {
            !snapshots().any { it.name() == backup }
        }
        expect('pg_dump is on PATH (the warehouse backup the document\'s pg_restore --clean restores)') { pgToolVersion('pg_dump') != null }
    }

    step 'Step 1: back up learning_captures.db and the warehouse', {
        requires { snapshotFree backup }   // a step's own: a re-run after this step is applied is not refused
        // One snapshot of both tiers, before Step 2 changes anything: the warehouse's is what the rollback restores.
        def s = snapshot(backup, captures, warehouse)
        if (dryRun) {
            note "dry run: the backup '$backup' of learning_captures.db and the warehouse was only described"
            return
        }
        def f = s.files().find { it.tier() == 'captures' }
        def w = s.files().find { it.tier() == 'warehouse' }
        note "warehouse: pg_dump of schema ${w.schema()}, ${w.bytes()} bytes, ${w.checksums().size()} table(s) with counts and checksums"
        expect("backup '$backup' passes integrity_check") { f.integrity() == 'ok' }
        expect("backup '$backup' holds every capture") { f.counts()['captures'] == captures.count('captures') }
        expect("backup '$backup' holds every table of the warehouse with its count") {
            w.counts() == warehouse.tables().collectEntries { [(it): warehouse.count(it)] }
        }
    }

    step 'Step 2: create the v2 schema in PostgreSQL', {
        createTable warehouse, '''
            CREATE TABLE users (
                id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
                email VARCHAR(255) UNIQUE NOT NULL,
                password_hash VARCHAR(255),
                created_at TIMESTAMP DEFAULT NOW(),
                last_login TIMESTAMP
            )'''
        createTable warehouse, '''
            CREATE TABLE captures (
                id BIGSERIAL PRIMARY KEY,
                user_id UUID REFERENCES users(id),
                session_id VARCHAR(255) NOT NULL,
                timestamp TIMESTAMP DEFAULT NOW(),
                user_text TEXT NOT NULL,
                agent_text TEXT NOT NULL,
                metadata JSONB,
                embedding_id VARCHAR(255)  -- ChromaDB reference
            )'''
        createIndex warehouse, 'CREATE INDEX idx_user_session ON captures (user_id, session_id)'
        createIndex warehouse, 'CREATE INDEX idx_timestamp ON captures (timestamp DESC)'
        createTable warehouse, '''
            CREATE TABLE sessions (
                id VARCHAR(255) PRIMARY KEY,
                user_id UUID REFERENCES users(id),
                created_at TIMESTAMP DEFAULT NOW(),
                last_activity TIMESTAMP DEFAULT NOW(),
                metadata JSONB
            )'''
        createTable warehouse, '''
            CREATE TABLE concepts (
                id BIGSERIAL PRIMARY KEY,
                name VARCHAR(255) UNIQUE NOT NULL,
                description TEXT,
                created_at TIMESTAMP DEFAULT NOW()
            )'''
        createTable warehouse, '''
            CREATE TABLE capture_concepts (
                capture_id BIGINT REFERENCES captures(id),
                concept_id BIGINT REFERENCES concepts(id),
                weight FLOAT DEFAULT 1.0,
                PRIMARY KEY (capture_id, concept_id)
            )'''
        expect('users, captures, sessions, concepts, capture_concepts exist') {
            ['users', 'captures', 'sessions', 'concepts', 'capture_concepts'].every { warehouse.hasTable(it) }
        }
        expect('captures has the document\'s columns, types, defaults and NOT NULLs') { captureColumns(warehouse) == V2_CAPTURES }
        expect('captures indexes idx_user_session and idx_timestamp exist') {
            warehouse.hasIndex('idx_user_session') && warehouse.hasIndex('idx_timestamp')
        }
    }

    step 'Step 3: copy captures into PostgreSQL', {
        expect('warehouse captures is empty before the copy') { warehouse.count('captures') == 0 }
        String stage = 'captures_v1_import'
        def staged = copy from: captures, table: 'captures', to: warehouse, into: stage, columns: COPIED
        note staged.toString()
        String s = Identifiers.quote(stage)
        warehouse.exec("""INSERT INTO captures (id, session_id, "timestamp", user_text, agent_text, metadata)
                          SELECT id, session_id, "timestamp"::timestamp, user_text, agent_text, metadata::jsonb FROM $s ORDER BY id""")
        long converted = warehouse.query("""SELECT count(*) FROM captures c JOIN $s s ON s.id = c.id
                WHERE c.session_id = s.session_id AND c.user_text = s.user_text AND c.agent_text = s.agent_text
                  AND c."timestamp" IS NOT DISTINCT FROM s."timestamp"::timestamp
                  AND c.metadata IS NOT DISTINCT FROM s.metadata::jsonb""").value()
        warehouse.exec("DROP TABLE $s")
        warehouse.query("SELECT setval(pg_get_serial_sequence('captures', 'id'), coalesce(max(id), 0) + 1, false) FROM captures")
        long source = captures.count('captures')
        long target = warehouse.count('captures')
        expect("the six columns copied exactly: ${staged.rows()} rows, count and checksum verified across engines") {
            staged.verified() && staged.rows() == source
        }
        expect("every row converted (timestamp → TIMESTAMP, metadata → JSONB) and equal to its original: $converted") { converted == source }
        expect("count parity: SQLite $source = PostgreSQL $target") { source == target }
        expect('the id sequence continues after the highest copied id') {   // read, not nextval: a sequence ignores rollback
            warehouse.query('''SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END
                                      > coalesce((SELECT max(id) FROM captures), 0) FROM captures_id_seq''').value()
        }
    }

    step 'Step 4: verify counts, checksums and 10 random records', {
        long source = captures.count('captures')
        long target = warehouse.count('captures')
        def a = captures.checksum('captures', UNCONVERTED)
        def b = warehouse.checksum('captures', UNCONVERTED)
        note "checksum of ${UNCONVERTED.join(', ')}: SQLite $a, PostgreSQL $b"
        expect("record counts match: SQLite $source, PostgreSQL $target") { source == target }
        expect("checksums match on all records (${UNCONVERTED.join(', ')})") { a == b }
        expect('no capture without user_text (the document\'s integrity query)') { warehouse.count('captures', 'user_text IS NULL') == 0 }
        def spot = spotCheck(captures, warehouse, 'captures', 10)
        note spot.toString()
        expect("spot check: ${Math.min(10L, source)} random records equal field by field") { spot.ok() && spot.keys().size() == Math.min(10L, source) }
    }

    step 'source unchanged: learning_captures.db as before', {
        String ftsName = ftsTable(captures, fts)
        String now = fileSha256(captures)
        def saved = snapshots().find { it.name() == backup }?.files()?.find { it.tier() == 'captures' }
        note "learning_captures.db sha256 now $now, backup ${saved?.sha256() ?: '(none: dry run)'}"
        boolean wal = captures.query('PRAGMA journal_mode').value() == 'wal'
        if (wal) {
            // A snapshot is switched to rollback-journal mode and holds the -wal's pages: its bytes differ by design.
            note 'learning_captures.db is in WAL mode: compared with its backup table by table (checksums), not byte by byte'
            expect('learning_captures.db holds what its backup holds (every table\'s checksum)') {
                dryRun && saved == null || sameTables(captures, Sluice.workspace().snapshotsDir().resolve(backup).resolve('captures.db'))
            }
        } else {
            expect('learning_captures.db byte-identical to its backup (SHA-256)') { dryRun && saved == null || saved?.sha256() == now }
        }
        expect('learning_captures.db still passes integrity_check') { captures.integrity().ok() }
        expect("FTS5 index '$ftsName' still covers exactly the captures (v1's fallback search)") {
            ftsMissing(captures, ftsName) == 0 && ftsExtra(captures, ftsName) == 0 && ftsAnswers(captures, ftsName)
        }
        expect('same checksum in SQLite and PostgreSQL') {
            captures.checksum('captures', UNCONVERTED) == warehouse.checksum('captures', UNCONVERTED)
        }
    }
}

// ---- the document's shapes, and helpers (plain values, so expectations read as the document's checks)

/** The FTS5 index to check: {@code given}, or the FTS5 table whose external content is captures (null when none). */
String ftsTable(captures, String given) {
    if (given) {
        return given
    }
    def found = captures.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' " +
            "AND lower(sql) LIKE '%using fts5%' AND replace(replace(replace(lower(sql), '\"', ''), char(39), ''), ' ', '') " +
            "LIKE '%content=captures%' ORDER BY name")
    found.isEmpty() ? null : found.get(0).get(0) as String
}

/** True when every table of {@code tier} (sqlite_* and sluice_* left out) has the same checksum in the SQLite file {@code copy}. */
boolean sameTables(tier, java.nio.file.Path copy) {
    def other = dev.sluice.tier.Tier.open(new dev.sluice.workspace.TierConfig('backup', 'jdbc:sqlite:' + copy, null, null, [:],
            true, false, false, copy))
    try {
        def mine = tier.tables().findAll { !it.startsWith('sluice_') }
        mine == other.tables().findAll { !it.startsWith('sluice_') } && mine.every { tier.checksum(it) == other.checksum(it) }
    } finally {
        other.close()
    }
}

/** "pg_dump (PostgreSQL) 15.x", or null when the tool is not on PATH. */
String pgToolVersion(String tool) {
    try {
        def p = new ProcessBuilder(tool, '--version').redirectErrorStream(true).start()
        String out = p.inputStream.text
        p.waitFor() == 0 ? out.trim() : null
    } catch (IOException ignored) {
        null
    }
}

/** The document's INSERT INTO captures (id, session_id, timestamp, user_text, agent_text, metadata). */
@groovy.transform.Field static final List<String> COPIED = ['id', 'session_id', 'timestamp', 'user_text', 'agent_text', 'metadata']
/** Columns whose type the copy does not change: checksummed across engines as they are. */
@groovy.transform.Field static final List<String> UNCONVERTED = ['id', 'session_id', 'user_text', 'agent_text']
/** captures in PostgreSQL, as the document's CREATE TABLE: column → type, nullability, default. */
@groovy.transform.Field static final Map<String, String> V2_CAPTURES = [
        id          : "bigint NOT NULL nextval('captures_id_seq'::regclass)",
        user_id     : 'uuid NULL',
        session_id  : 'character varying(255) NOT NULL',
        timestamp   : 'timestamp without time zone NULL now()',
        user_text   : 'text NOT NULL',
        agent_text  : 'text NOT NULL',
        metadata    : 'jsonb NULL',
        embedding_id: 'character varying(255) NULL',
]

/** captures' columns in PostgreSQL as V2_CAPTURES spells them. */
Map<String, String> captureColumns(warehouse) {
    warehouse.query('''SELECT column_name AS name, format_type(a.atttypid, a.atttypmod) AS type, is_nullable, column_default
                       FROM information_schema.columns c
                       JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(c.table_name)) AND a.attname = c.column_name
                       WHERE c.table_schema = current_schema() AND c.table_name = 'captures' ORDER BY ordinal_position''')
            .collectEntries { [(it.name): ("$it.type ${it.is_nullable == 'NO' ? 'NOT NULL' : 'NULL'}" +
                    (it.column_default ? " $it.column_default" : '')).toString()] }
}

/** Captures the FTS5 index does not cover (its docsize table holds one row per indexed rowid). */
long ftsMissing(captures, String fts) {
    captures.query("SELECT count(*) FROM captures c WHERE NOT EXISTS (SELECT 1 FROM ${Identifiers.quote(fts + '_docsize')} d WHERE d.id = c.id)").value() as long
}

/** Index entries without a capture. */
long ftsExtra(captures, String fts) {
    captures.query("SELECT count(*) FROM ${Identifiers.quote(fts + '_docsize')} d WHERE NOT EXISTS (SELECT 1 FROM captures c WHERE c.id = d.id)").value() as long
}

/** The first, middle and last captures are each found by MATCH on a whole word of their user_text (true when there are none). */
boolean ftsAnswers(captures, String fts) {
    def sample = captures.query('''SELECT id, user_text FROM captures WHERE id IN ((SELECT min(id) FROM captures),
            (SELECT id FROM captures ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM captures)), (SELECT max(id) FROM captures))''')
    sample.every { row ->
        def word = (row.user_text =~ /(?<![\p{L}\p{N}])[A-Za-z]{3,}(?![\p{L}\p{N}])/)   // a whole ASCII word, as FTS5 tokenizes it
        !word.find() || captures.query("SELECT count(*) FROM ${Identifiers.quote(fts)} WHERE ${Identifiers.quote(fts)} MATCH ? AND rowid = ?",
                '"' + word.group() + '"', row.id).value() == 1
    }
}

/** SHA-256 of the tier's file, streamed. */
String fileSha256(captures) {
    def md = java.security.MessageDigest.getInstance('SHA-256')
    java.nio.file.Files.newInputStream(captures.file()).withCloseable { input ->
        byte[] buf = new byte[1 << 16]
        int n
        while ((n = input.read(buf)) > 0) {
            md.update(buf, 0, n)
        }
    }
    md.digest().encodeHex().toString()
}
