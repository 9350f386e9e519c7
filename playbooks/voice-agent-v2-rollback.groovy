// Voice agent v2 rollback, PostgreSQL side: the warehouse back as voice-agent-v2.groovy's Step 1 backed it up, before
// it changed anything (seed 004, "Rollback Strategy", "Data Rollback":
// pg_restore --clean --dbname $DATABASE_URL latest_backup.dump).
//
//   sluice run playbooks/voice-agent-v2-rollback.groovy -w WS --yes                     # the latest backup
//   sluice run playbooks/voice-agent-v2-rollback.groovy -w WS -p backup=learning_captures_backup_TIME --yes
//   sluice run playbooks/voice-agent-v2.groovy -w WS --yes                              # the retry: every step runs again
//
// The document's pg_restore --clean of the latest backup is Sluice's restore of the warehouse tier from the snapshot
// Step 1 took (-p backup=NAME; default: the latest snapshot holding both learning_captures.db and the warehouse, the
// migration's Step 1 being what takes those). That restore verifies the dump's SHA-256 against the manifest, keeps the
// warehouse's current state as a before-restore-… snapshot (nothing is lost), empties the warehouse's schema and runs
// pg_restore --clean of the dump, both in one transaction, then checks every table's count and engine-independent
// checksum against the manifest and that no other table is there. pg_restore --clean on its own drops only what the
// dump holds, so it would leave the v2 tables the migration created (users, captures, sessions, concepts,
// capture_concepts): the restore drops them, which is why this playbook has no DROP of its own.
// History: sluice_history is restored with the rest, so every step voice-agent-v2 committed after its backup is
// forgotten; pre-flight's row (committed before the backup) is forgotten too, so a retry checks the source again.
// The step is always: true (a rollback may be needed after each attempt); its own history row is written after the
// restore. learning_captures.db is read-only to the migration: nothing to undo there. Redis (redis-cli --rdb) is
// outside Sluice. pg_dump, pg_restore and psql must be on PATH. Tested in VoiceAgentMigrationTest.

import dev.sluice.dsl.Sluice

playbook 'Voice agent v2 rollback: the warehouse as the backup taken first (seed 004)', {
    description 'Restores the warehouse from the latest backup voice-agent-v2 took (pg_restore --clean, verified against ' +
            'the manifest, no v2 table left) and forgets the migration\'s history, so that a retry runs again.'
    tiers 'warehouse'
    param 'backup', ''                 // empty: the latest backup voice-agent-v2 took
    param 'migration', 'voice-agent-v2'

    requires {
        check('a backup of the warehouse to restore (-p backup=NAME, default the latest one voice-agent-v2 took)',
                fix: 'Name a snapshot that holds the warehouse: sluice snapshots -w WS') { chosen(backup) != null }
        check('pg_restore and psql on PATH (the restore runs pg_restore\'s script in one psql transaction)',
                fix: 'Install the PostgreSQL client tools (pg_dump, pg_restore, psql)') { ['pg_dump', 'pg_restore', 'psql'].every { onPath(it) } }
    }

    step 'pg_restore --clean of the latest backup', always: true, {
        def s = chosen(backup)
        def w = s.files().find { it.tier() == 'warehouse' }
        def extra = warehouse.tables().findAll { !w.checksums().containsKey(it) }
        note "will restore the warehouse from '${s.name()}' taken ${s.createdAt()}: ${w.checksums().size()} table(s) " +
                "(${w.counts().findAll { !it.key.startsWith('sluice_') }.collect { t, n -> "$t $n" }.join(', ') ?: 'none but Sluice\'s'}); " +
                "will drop ${extra ? extra.join(', ') : 'no table'}"
        def r = restore(s.name(), warehouse)
        if (dryRun) {
            return
        }
        note r.toString()
        r.integrity().each { note "restore checked ${it}" }   // "warehouse count and checksum of N table(s), no other table: ok"
        expect("every table's count and checksum equal to the backup's manifest (${w.checksums().size()} tables), verified by the restore") {
            r.integrity()*.tier() == ['warehouse'] && r.integrity().every { it.ok() }
        }
        expect('no table the backup does not hold is left (the v2 tables are gone)') { warehouse.tables() as Set == w.checksums().keySet() }
        expect("the warehouse's state before the rollback is kept as snapshot '${r.before().name()}'") {
            snapshots().any { it.name() == r.before().name() && it.files()*.tier() == ['warehouse'] }
        }
        // What the backup's sluice_history still holds of the migration: pre-flight, committed before Step 1 took it.
        long left = warehouse.hasTable('sluice_history') ? warehouse.count('sluice_history', 'playbook = ?', migration) : 0
        if (left > 0) {
            warehouse.exec("DELETE FROM ${warehouse.qualified('sluice_history')} WHERE playbook = ?", migration)
        }
        note "$left history row(s) of $migration the backup holds forgotten (pre-flight): a retry runs every step"
    }
}

/** -p backup, else the latest snapshot holding both learning_captures.db and the warehouse (the migration's Step 1); null when none. */
def chosen(String given) {
    def all = Sluice.snapshots()
    if (given) {
        return all.find { it.name() == given && it.files().any { it.tier() == 'warehouse' } }
    }
    def found = all.findAll { s -> ['captures', 'warehouse'].every { t -> s.files().any { it.tier() == t } } }
    found ? found.last() : null
}

/** True when {@code tool} answers --version (it is on PATH). */
boolean onPath(String tool) {
    try {
        def p = new ProcessBuilder(tool, '--version').redirectErrorStream(true).start()
        p.inputStream.text
        p.waitFor() == 0
    } catch (IOException ignored) {
        false
    }
}
