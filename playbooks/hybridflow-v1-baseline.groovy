// HybridFlow: register the current production state as v1_baseline (seed 002, "Migration Plan: Baseline Version
// Registration").
//
// What it does, in the document's order:
//   1. pre-migration checks, then the copy of metadata.db ("Latest-copy created before any modifications"): counts
//      chapter_metadata (total and by textbook_id), the Qdrant collection's points and Neo4j's :Paragraph nodes, checks
//      the checklist's "> 500 MB free" where the copy goes and that the snapshot name is free, says what it found and
//      what it will do; only when all of that holds does it snapshot metadata.db as SNAPSHOT_NAME/metadata.db (default
//      VERSION_ID). A run against data that does not match stops here, unchanged;
//   2. Phase 1: creates version_registry and operation_log (and their indexes) in metadata.db, verifies the schema;
//   3. Phase 2: registers VERSION_ID in version_registry (status 'pending') with the chapter count, the paragraph count and
//      the snapshot's path;
//   4. Phase 4: runs success criteria 1, 2, 3, 4 (count, status, scroll), 6 and 8 (including the operation_log
//      insert/select/delete test) and, in the same transaction, marks the version 'committed' with validation_passed = 1.
// Expected counts: expectedChapters, expectedByTextbook and expectedParagraphs default to the document's figures (220;
// bailey=92,sabiston=74,schwartz=54; 36216). Give your own pre-migration report's figures with -p, or -1 / an empty
// expectedByTextbook for "as found before the migration" (criterion 3's "distribution matches pre-migration state" is
// then compared with the copy taken in step 1, criterion 6's counts with what step 1 found).
// Rolling back (triggers 1, 3, 6): sluice restore SNAPSHOT_NAME -w WS brings metadata.db back to the copy taken before
// any modification (no version_registry, no operation_log, no history of this run); a retry then needs a new
// versionId (default: v1_baseline_ plus the current UTC time, so every run has its own) or -p snapshotName.
// Each rollback trigger is an expectation of the step it guards, so a failure rolls that step back and commits nothing
// of it: trigger 1 (table creation) in step 2, trigger 2 (baseline registration) in step 4, triggers 3 and 6 (validation,
// counts across systems) in steps 1 and 5. A version whose validation failed stays 'pending', never 'committed'.
// Re-running skips applied steps, and every write is guarded (CREATE … unless present, INSERT unless registered), so a
// second run changes nothing.
//
// Preconditions the document states (pre-migration checklist) are the playbook's `requires` block: every run mode
// checks them before anything is written and lists every failure (exit 18). Step 1 shows them again as expectations.
//
// Pointing a workspace at the real files:
//   sluice init -w hybridflow --tier metadata=/path/to/hybridflow/data/metadata.db --snapshots backups
//   sluice run playbooks/hybridflow-v1-baseline.groovy -w hybridflow --dry-run
//   sluice run playbooks/hybridflow-v1-baseline.groovy -w hybridflow --yes
// With "snapshots": "backups" the recorded path is the document's backups/VERSION_ID/metadata.db (relative to the
// workspace). Services are parameters: -p qdrantUrl=http://host:6333 -p neo4jUrl=http://host:7474. Neo4j's HTTP API
// is called as -p neo4jUser (default neo4j) with the password from the environment variable NEO4J_PASSWORD (never a
// parameter, so it is neither printed nor journaled); without it no credentials are sent.
//
// Ours, not the document's: the DDL of version_registry and operation_log (the document gives their columns through its
// criteria and queries, not their CREATE statements): the columns of criterion 1's expected row in that order, plus
// status_message (used by the document's trigger response protocol); operation_log has the columns of criterion 8's
// INSERT plus id and created_at. The 'pending' status between registration and validation is ours too.
//
// Outside Sluice, not done here (the operator does them, the document describes how):
//   - Phase 3, the Neo4j :v1_baseline labels (apoc.periodic.iterate), criterion 5 and trigger 4: Sluice reads counts from
//     Neo4j but does not write to it, since a Neo4j write cannot join a step's transaction nor be undone by its rollback;
//   - the Qdrant snapshot and the Neo4j export of Phase 2 (service-side side effects a --dry-run could not avoid), the
//     Alembic migration the document rolls back in trigger 1, criterion 7 and trigger 5 (`hybridflow search` results);
//   - the trigger response protocol's "UPDATE version_registry SET status = 'rollback_triggered'" and "log the failure in
//     operation_log": a failing step writes nothing by design; the failure is in the run's output and journal instead.
// Qdrant's points_count is read from the collection info, as the document does (criterion 4); Qdrant also has an exact
// POST /collections/NAME/points/count {"exact": true}. Run with ingestion paused, as the pre-migration checklist asks.

import dev.sluice.dsl.Sluice
import dev.sluice.error.ErrorCode
import dev.sluice.error.SluiceException

playbook 'HybridFlow: register v1_baseline', {
    description 'Creates version_registry and operation_log in metadata.db, snapshots it, registers the current ' +
            'chapters, Qdrant vectors and Neo4j paragraphs as the baseline version, and validates it (seed 002).'
    tiers 'metadata'
    param 'versionId', 'v1_baseline_' + java.time.format.DateTimeFormatter.ofPattern('yyyyMMdd_HHmmss')
            .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC))
    param 'snapshotName', ''          // empty: VERSION_ID, the document's backups/VERSION_ID/metadata.db
    param 'minFreeMb', 500            // pre-migration checklist: "Disk space sufficient (>500 MB free)"
    param 'qdrantUrl', 'http://127.0.0.1:6333'
    param 'collection', 'textbook_chunks'
    param 'neo4jUrl', 'http://127.0.0.1:7474'
    param 'neo4jDatabase', 'neo4j'
    param 'neo4jUser', 'neo4j'
    param 'expectedChapters', 220
    param 'expectedByTextbook', 'bailey=92,sabiston=74,schwartz=54'
    param 'expectedParagraphs', 36216

    requires {
        table metadata, 'chapter_metadata'
        columns metadata, 'chapter_metadata', 'textbook_id'
        freeSpace bytes: minFreeMb * 1024L * 1024L, path: 'backups'       // "Disk space sufficient (>500 MB free)"
        service 'Qdrant', "$qdrantUrl/collections/$collection"            // "Docker containers running and healthy"
        service 'Neo4j', "$neo4jUrl/db/$neo4jDatabase/tx/commit"
    }

    step 'pre-migration checks, then the copy of metadata.db', {
        requires { snapshotFree snapshotName ?: versionId }   // a step's own: a re-run after this step is applied is not refused
        String snap = snapshotName ?: versionId
        expect('metadata.db has chapter_metadata with textbook_id (criterion 3 counts it)') {
            metadata.hasTable('chapter_metadata') && metadata.hasColumn('chapter_metadata', 'textbook_id')
        }
        if (!metadata.hasTable('chapter_metadata') || !metadata.hasColumn('chapter_metadata', 'textbook_id')) {
            return
        }
        long chapters = metadata.count('chapter_metadata')
        Map byTextbook = chaptersByTextbook(metadata)
        Map qdrant = qdrantCollection(qdrantUrl, collection)
        long paragraphs = neo4jParagraphs(neo4jUrl, neo4jDatabase, neo4jUser)
        java.nio.file.Path copyDir = workspace.snapshotsDir()
        long free = freeBytes(copyDir)
        note "found: SQLite chapters: $chapters $byTextbook, Qdrant points: ${qdrant.points} (${qdrant.status}), " +
                "Neo4j paragraphs: $paragraphs, ${free.intdiv(1024 * 1024)} MB free at $copyDir"
        note "expected: " + (expectedChapters < 0 ? 'chapters as found' : "$expectedChapters chapters") + ', ' +
                (expectedByTextbook ? "by textbook $expectedByTextbook" : 'by textbook as found') + ', ' +
                (expectedParagraphs < 0 ? 'paragraphs: Qdrant = Neo4j' : "$expectedParagraphs paragraphs")
        note "will do: copy metadata.db to snapshot '$snap' before any modification, then create version_registry and " +
                "operation_log and register $versionId"
        if (chapters == 0) {
            note 'chapter_metadata is empty: the count checks below hold without any chapter to compare'
        }
        def checks = [
                expect("disk space sufficient: > $minFreeMb MB free in the snapshot folder") { free > (minFreeMb as long) * 1024L * 1024L },
                expect("snapshot name '$snap' is free (a retry after a restore needs a new -p versionId or -p snapshotName)") {
                    !snapshots().any { it.name() == snap }
                },
                expect(expectedChapters < 0 ? "SQLite: $chapters chapters (as found)" : "SQLite: $expectedChapters chapters") {
                    expectedChapters < 0 || chapters == expectedChapters
                },
                expect(expectedByTextbook ? "SQLite: chapters by textbook $expectedByTextbook" : 'SQLite: chapters by textbook (as found)') {
                    !expectedByTextbook || byTextbook == textbookCounts(expectedByTextbook)
                },
                expect((expectedParagraphs < 0 ? 'Qdrant points = Neo4j paragraphs' : "Qdrant: $expectedParagraphs points") +
                        " in '$collection', status green") {
                    qdrant.points == (expectedParagraphs < 0 ? paragraphs : expectedParagraphs) && qdrant.status == 'green'
                },
                expect(expectedParagraphs < 0 ? 'Neo4j: paragraphs counted' : "Neo4j: $expectedParagraphs paragraphs") {
                    expectedParagraphs < 0 || paragraphs == expectedParagraphs
                },
        ]
        if (!checks.every { it.passed() }) {
            note 'a pre-migration check failed: no copy taken, nothing changed'
            return
        }
        def s = snapshot(snap, metadata)
        if (dryRun) {
            note "dry run: the copy was only described; the next steps record ${snapshotPath(workspace, snap)}"
        } else {
            def file = s.files().find { it.tier() == 'metadata' }
            expect('the copy passed integrity_check') { file.integrity() == 'ok' }
            expect("the copy holds the $chapters chapters") { file.counts()['chapter_metadata'] == chapters }
            expect('the copy has no version_registry nor operation_log (taken before any modification)') {
                !file.counts().containsKey('version_registry') && !file.counts().containsKey('operation_log')
            }
        }
    }

    step 'create version_registry and operation_log', {
        createTable metadata, '''
            CREATE TABLE version_registry (
                id                     INTEGER PRIMARY KEY,
                version_id             TEXT NOT NULL UNIQUE,
                status                 TEXT NOT NULL DEFAULT 'pending',
                created_at             TEXT NOT NULL DEFAULT (datetime('now')),
                metadata_snapshot_path TEXT,
                chapter_count          INTEGER NOT NULL,
                paragraph_count        INTEGER NOT NULL,
                validation_passed      INTEGER NOT NULL DEFAULT 0 CHECK (validation_passed IN (0, 1)),
                status_message         TEXT
            )'''
        createTable metadata, '''
            CREATE TABLE operation_log (
                id             INTEGER PRIMARY KEY,
                version_id     TEXT NOT NULL REFERENCES version_registry (version_id),
                operation_type TEXT NOT NULL,
                status         TEXT NOT NULL,
                details        TEXT,
                created_at     TEXT NOT NULL DEFAULT (datetime('now'))
            )'''
        createIndex metadata, 'CREATE INDEX idx_version_registry_status_created ON version_registry (status, created_at)'
        createIndex metadata, 'CREATE INDEX idx_operation_log_version ON operation_log (version_id, created_at)'
        // Trigger 1: any table creation failure (an error above fails the step as well).
        expect('version_registry has the columns of criterion 1') {
            ['id', 'version_id', 'status', 'created_at', 'metadata_snapshot_path', 'chapter_count', 'paragraph_count',
             'validation_passed', 'status_message'].every { metadata.hasColumn('version_registry', it) }
        }
        expect('operation_log has the columns of criterion 8') {
            ['id', 'version_id', 'operation_type', 'status', 'details', 'created_at'].every { metadata.hasColumn('operation_log', it) }
        }
        expect('both indexes exist') {
            metadata.hasIndex('idx_version_registry_status_created') && metadata.hasIndex('idx_operation_log_version')
        }
        Long before = copiedChapters(snapshotName ?: versionId)
        long expected = before != null ? before : (expectedChapters < 0 ? metadata.count('chapter_metadata') : expectedChapters)
        expect("chapter_metadata untouched: $expected rows" + (before != null ? ' (as in the copy taken first)' : '')) {
            metadata.count('chapter_metadata') == expected
        }
    }

    step 'register v1_baseline', {
        String path = snapshotPath(workspace, snapshotName ?: versionId)
        long chapters = metadata.count('chapter_metadata')
        long paragraphs = neo4jParagraphs(neo4jUrl, neo4jDatabase, neo4jUser)
        metadata.exec('''
            INSERT INTO version_registry (version_id, status, metadata_snapshot_path, chapter_count, paragraph_count,
                                          validation_passed, status_message)
            SELECT ?, 'pending', ?, ?, ?, 0, 'registered, awaiting validation'
            WHERE NOT EXISTS (SELECT 1 FROM version_registry WHERE version_id = ?)''',
                versionId, path, chapters, paragraphs, versionId)
        // Trigger 2: baseline registration failure.
        expect("$versionId registered") { metadata.count('version_registry', 'version_id = ?', versionId) == 1 }
        expect("registered counts: ${expectedChapters < 0 ? chapters : expectedChapters} chapters, " +
                "${expectedParagraphs < 0 ? paragraphs : expectedParagraphs} paragraphs") {
            def r = metadata.query('SELECT chapter_count, paragraph_count FROM version_registry WHERE version_id = ?', versionId).get(0)
            r.chapter_count == (expectedChapters < 0 ? chapters : expectedChapters) &&
                    r.paragraph_count == (expectedParagraphs < 0 ? paragraphs : expectedParagraphs)
        }
        expect("snapshot path recorded: $path") {
            metadata.count('version_registry', 'version_id = ? AND metadata_snapshot_path = ?', versionId, path) == 1 &&
                    (dryRun || new File(workspace.dir().toFile(), path).isFile())
        }
    }

    step 'validate and commit the baseline', {
        def row = metadata.query('SELECT * FROM version_registry WHERE version_id = ?', versionId).get(0)
        long chapters = metadata.count('chapter_metadata')
        Map byTextbook = chaptersByTextbook(metadata)
        Map qdrant = qdrantCollection(qdrantUrl, collection)
        List scrolled = Sluice.http.post("$qdrantUrl/collections/$collection/points/scroll",
                [limit: 10, with_payload: true, with_vector: false]).result.points
        long paragraphs = neo4jParagraphs(neo4jUrl, neo4jDatabase, neo4jUser)
        note "SQLite chapters: $chapters $byTextbook, Qdrant points: ${qdrant.points} (${qdrant.status}), Neo4j paragraphs: $paragraphs"

        // Criterion 1: the registry row, its snapshot path and counts.
        expect("1. $versionId in version_registry with its snapshot and counts") {
            row.metadata_snapshot_path && (dryRun || new File(workspace.dir().toFile(), row.metadata_snapshot_path).isFile()) &&
                    (expectedChapters < 0 || row.chapter_count == expectedChapters) &&
                    (expectedParagraphs < 0 || row.paragraph_count == expectedParagraphs)
        }
        // Criterion 3: all chapters accessible, distribution as before.
        // "Distribution matches pre-migration state": the document's figures, or those of the copy taken first.
        Map byTextbookBefore = expectedByTextbook ? textbookCounts(expectedByTextbook) :
                (dryRun ? byTextbook : copiedByTextbook(row.metadata_snapshot_path))
        long chaptersBefore = expectedChapters < 0 ? row.chapter_count : expectedChapters
        expect("3. $chaptersBefore chapters, by textbook $byTextbookBefore" + (expectedByTextbook ? '' : ' (as in the copy taken first)')) {
            chapters == chaptersBefore && byTextbook == byTextbookBefore
        }
        // Criterion 4: vectors present and queryable.
        long pointsBefore = expectedParagraphs < 0 ? row.paragraph_count : expectedParagraphs
        if (pointsBefore == 0) {
            note '0 points: the scroll check below cannot find a point, so it asks for none'
        }
        expect("4. Qdrant: $pointsBefore points, status green, scroll returns points") {
            qdrant.points == pointsBefore && qdrant.status == 'green' && (pointsBefore == 0 || !scrolled.isEmpty())
        }
        // Criterion 6 and trigger 6: counts stable across systems, against what was registered.
        expect('6. counts stable across systems (SQLite = registered chapters, Qdrant = Neo4j = registered paragraphs)') {
            chapters == row.chapter_count && qdrant.points == row.paragraph_count && paragraphs == row.paragraph_count
        }
        // Criterion 8: the versioning tables work (the document's test entry, inserted, read back, deleted).
        def latest = metadata.query('SELECT version_id, status FROM version_registry ORDER BY created_at DESC, id DESC LIMIT 1')
        metadata.exec('''INSERT INTO operation_log (version_id, operation_type, status, details)
                         VALUES (?, 'test', 'success', 'Testing operation log')''', versionId)
        def logged = metadata.query("SELECT * FROM operation_log WHERE operation_type = 'test'")
        metadata.exec("DELETE FROM operation_log WHERE operation_type = 'test'")
        expect('8. version_registry answers, operation_log accepts and returns an entry') {
            latest.size() == 1 && logged.size() == 1 && logged.get(0).version_id == versionId
        }
        // Criterion 2: operation_log exists and is empty.
        expect('2. operation_log is empty') { metadata.count('operation_log') == 0 }

        metadata.exec('''UPDATE version_registry
                         SET status = 'committed', validation_passed = 1, status_message = 'validated: criteria 1-4, 6, 8'
                         WHERE version_id = ?''', versionId)
        expect("$versionId is committed") {
            metadata.count('version_registry', "version_id = ? AND status = 'committed' AND validation_passed = 1", versionId) == 1
        }
    }
}

// ---- helpers (the probes' answers as plain values; an unusable answer is one line naming the service)

/** chapter_metadata rows per textbook_id, as [bailey: 92, …] in key order. */
Map chaptersByTextbook(metadata) {
    metadata.query('SELECT textbook_id, count(*) AS n FROM chapter_metadata GROUP BY textbook_id ORDER BY textbook_id')
            .collectEntries { [(it.textbook_id): it.n as long] }
}

/** 'bailey=92,sabiston=74' → [bailey: 92, sabiston: 74] in key order. */
Map textbookCounts(String spec) {
    new TreeMap(spec.split(',').collectEntries { String kv -> def (k, v) = kv.split('=')*.trim(); [(k): v as long] })
}

/** Qdrant's collection info: [points: result.points_count, status: result.status]. */
Map qdrantCollection(String url, String collection) {
    def result = Sluice.http.json("$url/collections/$collection", 'result')
    [points: result.points_count as Long, status: result.status]
}

/** MATCH (p:Paragraph) RETURN count(p) through Neo4j's HTTP transactional API (results[0].data[0].row[0]). */
long neo4jParagraphs(String url, String database, String user) {
    String endpoint = "$url/db/$database/tx/commit"
    def answer = Sluice.http.basicAuth(user, System.getenv('NEO4J_PASSWORD'))
            .post(endpoint, [statements: [[statement: 'MATCH (p:Paragraph) RETURN count(p)']]])
    if (answer.errors) {
        throw new SluiceException(ErrorCode.FAILURE, "Neo4j at $endpoint refused the count: ${answer.errors[0].code}: ${answer.errors[0].message}")
    }
    def row = answer.results?.getAt(0)?.data?.getAt(0)?.row
    if (!row) {
        throw new SluiceException(ErrorCode.FAILURE, "Neo4j at $endpoint answered without results[0].data[0].row[0]. Check -p neo4jUrl and -p neo4jDatabase.")
    }
    row[0] as long
}

/** chapter_metadata's row count in the copy step 1 took (its manifest), or null when there is none (dry run). */
Long copiedChapters(String snap) {
    def n = Sluice.snapshots().find { it.name() == snap }?.files()?.find { it.tier() == 'metadata' }?.counts()?.get('chapter_metadata')
    n == null ? null : n as long
}

/** chapter_metadata rows per textbook_id in the copy at {@code relativePath} (read-only), as chaptersByTextbook. */
Map copiedByTextbook(String relativePath) {
    def f = Sluice.workspace().dir().resolve(relativePath)
    def c = java.sql.DriverManager.getConnection('jdbc:sqlite:file:' + f.toUri().rawPath + '?mode=ro')
    try {
        def rs = c.createStatement().executeQuery('SELECT textbook_id, count(*) FROM chapter_metadata GROUP BY textbook_id ORDER BY textbook_id')
        Map out = [:]
        while (rs.next()) {
            out[rs.getObject(1)] = rs.getLong(2)
        }
        out
    } finally {
        c.close()
    }
}

/** Usable bytes on the file system that holds {@code dir} (its nearest existing parent when it does not exist yet). */
long freeBytes(java.nio.file.Path dir) {
    def p = dir.toAbsolutePath()
    while (p != null && !java.nio.file.Files.exists(p)) {
        p = p.parent
    }
    java.nio.file.Files.getFileStore(p).usableSpace
}

/** Where the snapshot step puts metadata.db, relative to the workspace (backups/VERSION_ID/metadata.db with "snapshots": "backups"). */
String snapshotPath(workspace, String snap) {
    workspace.dir().relativize(workspace.snapshotsDir().resolve(snap).resolve('metadata.db')).toString()
}
