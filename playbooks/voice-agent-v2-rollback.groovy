// Voice agent v2 rollback, PostgreSQL side: the warehouse back to the pg_dump voice-agent-v2.groovy took in its Step 1,
// before it changed anything (seed 004, "Rollback Strategy", "Data Rollback":
// pg_restore --clean --dbname $DATABASE_URL latest_backup.dump).
//
//   sluice run playbooks/voice-agent-v2-rollback.groovy -w WS -p dump=backups/learning_captures_backup_TIME.warehouse.dump --yes
//   sluice run playbooks/voice-agent-v2.groovy -w WS --yes           # the retry: every step runs again
//
// Why two steps and not the document's one command: pg_restore --clean drops and recreates only what the dump holds.
// The migration creates users, captures, sessions, concepts and capture_concepts; when the warehouse had none of them
// (the usual case: v2 is new), the dump holds none, so pg_restore alone would leave them all, filled. Step 1 therefore
// drops those of them the dump does not hold (the list is read from pg_restore --list) and forgets voice-agent-v2's
// history rows in the warehouse (Sluice's own sluice_history; the dump leaves sluice_* out), so a retry runs every step;
// step 2 is the document's pg_restore --clean --if-exists, in one transaction, of what the dump holds. Both steps are
// always: true (a rollback may be needed more than once). learning_captures.db is read-only to the migration: nothing to
// undo there. Redis (redis-cli --rdb) is outside Sluice. Tested in VoiceAgentMigrationTest.
//
// requires {
//     check('the dump file exists and pg_restore can list it') { ... }
//     check('pg_restore on PATH') { ... }
// }

import dev.sluice.dsl.Sluice

playbook 'Voice agent v2 rollback: the warehouse as the pg_dump taken first (seed 004)', {
    description 'Drops the v2 tables the migration created that the dump does not hold, forgets the migration\'s history, ' +
            'then pg_restore --clean of the dump taken before the migration changed anything.'
    tiers 'warehouse'
    param 'dump'
    param 'migration', 'voice-agent-v2'

    step 'drop what the migration created that the dump does not hold', always: true, {
        def file = dumpPath(dump)
        def listed = expect("the dump $file exists and pg_restore lists it") { java.nio.file.Files.isRegularFile(file) && listTables(file) != null }
        if (!listed.passed()) {
            return
        }
        List<String> inDump = listTables(file)
        def created = V2_TABLES.findAll { warehouse.hasTable(it) && !(it in inDump) }
        note "the dump holds ${inDump ? inDump.join(', ') : 'no table'}; will drop ${created ? created.join(', ') : 'nothing'}" +
                ' and forget the history of ' + migration
        created.each { warehouse.exec("DROP TABLE IF EXISTS ${warehouse.qualified(it)} CASCADE") }
        long forgotten = 0
        if (warehouse.hasTable('sluice_history')) {
            forgotten = warehouse.count('sluice_history', 'playbook = ?', migration)
            warehouse.exec("DELETE FROM ${warehouse.qualified('sluice_history')} WHERE playbook = ?", migration)
        }
        note "$forgotten history row(s) of $migration forgotten"
        expect('no table of the migration is left that the dump does not hold') { V2_TABLES.every { !warehouse.hasTable(it) || it in inDump } }
    }

    step 'pg_restore --clean of the dump', always: true, {
        def file = dumpPath(dump)
        List<String> inDump = listTables(file) ?: []
        if (dryRun) {
            note "dry run: would pg_restore --clean --if-exists --single-transaction $file (tables ${inDump.join(', ') ?: 'none'})"
            return
        }
        // Outside the step's transaction (announced like a snapshot): the step's own reads of the warehouse hold locks
        // that pg_restore's DROPs would wait for until the step ended, which it never would.
        def r = Sluice.session().nonTransactional().perform(new dev.sluice.dsl.NonTransactional.Action('pg_restore',
                "pg_restore --clean --if-exists --single-transaction of $file on warehouse", ['warehouse'], true),
                { runPg(warehouse, ['pg_restore', '--clean', '--if-exists', '--single-transaction', '--no-owner', '--exit-on-error',
                                    file.toString()]) } as java.util.function.Supplier)
        if (r.exit != 0) {
            note "pg_restore said: ${r.output.trim()}"
        }
        expect('pg_restore --clean completed (exit 0)') { r.exit == 0 }
        expect("every table of the dump is back (${inDump.join(', ') ?: 'none'})") { inDump.every { warehouse.hasTable(it) } }
    }
}

/** The tables voice-agent-v2.groovy creates, its staging table included, dependents first. */
@groovy.transform.Field
static final List<String> V2_TABLES = ['capture_concepts', 'concepts', 'sessions', 'captures', 'users', 'captures_v1_import']

/** The dump's path: as given, or relative to the workspace. */
java.nio.file.Path dumpPath(String given) {
    def p = java.nio.file.Path.of(given)
    p.isAbsolute() ? p : Sluice.workspace().dir().resolve(p)
}

/** The names of the tables a custom-format dump holds (pg_restore --list), or null when it cannot be listed. */
List<String> listTables(java.nio.file.Path file) {
    try {
        def p = new ProcessBuilder('pg_restore', '--list', file.toString()).redirectErrorStream(true).start()
        String out = p.inputStream.text
        if (p.waitFor() != 0) {
            return null
        }
        // "215; 1259 16390 TABLE schema name owner"
        out.readLines().findAll { !it.startsWith(';') && it.contains(' TABLE ') && !it.contains(' TABLE DATA ') }
                .collect { it.split(' TABLE ')[1].trim().split(/\s+/)[1] }
    } catch (IOException ignored) {
        null
    }
}

/** Runs a PostgreSQL client tool against the warehouse tier's server, database and user: [exit: n, output: text]. */
Map runPg(warehouse, List<String> cmd) {
    def m = (warehouse.config().url() =~ /^jdbc:postgresql:\/\/([^\/:?]+)(?::(\d+))?\/([^?]+)/)
    if (!m.find()) {
        throw new dev.sluice.error.SluiceException(dev.sluice.error.ErrorCode.FAILURE,
                "The warehouse URL is not jdbc:postgresql://HOST[:PORT]/DB: cannot run ${cmd[0]}. Point the tier at such a URL.")
    }
    List<String> full = [cmd[0], '-h', m.group(1), '-p', m.group(2) ?: '5432', '-d', m.group(3)] +
            (warehouse.config().user() ? ['-U', warehouse.config().user()] : []) + ['--no-password'] + cmd.drop(1)
    def pb = new ProcessBuilder(full).redirectErrorStream(true)
    def pw = warehouse.config().password()
    if (pw != null && !pw.isEmpty()) {
        pb.environment().put('PGPASSWORD', pw.reveal())
    }
    def p = pb.start()
    String out = p.inputStream.text
    [exit: p.waitFor(), output: out]
}
