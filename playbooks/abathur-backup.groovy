// Abathur daily backup: checkpoint the WAL, snapshot the database, keep the newest 30 backups.
// From seed 001 (../shared/seeds/001_…), section 5.2 "Backup Strategy (Post-Deployment)". Tier name: abathur.
//
// Point a workspace at the real file and at the backup folder, then run it from cron with --yes:
//   sluice.json   { "tiers": { "abathur": "/var/lib/abathur/abathur.db" }, "snapshots": "/backups/abathur" }
//   0 3 * * *  sluice run playbooks/abathur-backup.groovy -w WORKSPACE --yes
//
// A separate playbook rather than steps of the fresh start: the fresh start runs once, this runs every day. Its steps
// are marked always: true, so each run does them again (history keeps one row per run instead of skipping them).
//
// How it differs from the document's shell script, and why:
// - cp + gzip becomes a Sluice snapshot: SQLite's online backup API from a connection of its own (consistent even while
//   the application writes, WAL included), a manifest with sha256, row counts and integrity_check of the copy, file
//   0600 in a 0700 folder. Snapshots are not compressed.
// - Retention: the document deletes abathur_*.db.gz older than 30 days (find -mtime +30); here the newest `keep` (30)
//   snapshots named `prefix`… (abathur_…) are kept and older ones of that family deleted, other snapshots untouched.
//   With one run a day that is the same; missed or extra runs count runs, not days.
// - The snapshot name is abathur_<stamp>, stamp a parameter defaulting to the current UTC time to the second (the
//   document uses the date, which collides when run twice a day: a snapshot name is never overwritten).
// - Restore (section 5.2 "Restore from Backup"): stop the application, then `sluice restore abathur_<stamp> -w
//   WORKSPACE`; it verifies the snapshot's sha256 first, keeps the current state as a before-restore snapshot, restores
//   and runs integrity_check (the document's last check). Tested in AbathurBackupTest.
//
// Preconditions for the integrator's `requires` block (until then: expectations of the steps):
// requires {
//     snapshotFree "${prefix}${stamp}"
// }
import java.time.ZoneOffset
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter

playbook 'Abathur daily backup (seed 001, section 5.2)', {
    description 'Checkpoints the WAL into the main file, snapshots abathur as abathur_<stamp> and checks the copy, ' +
            'then keeps the newest 30 abathur_ snapshots.'
    tiers 'abathur'
    param 'stamp', DateTimeFormatter.ofPattern('yyyy-MM-dd_HHmmss').format(ZonedDateTime.now(ZoneOffset.UTC))
    param 'prefix', 'abathur_'
    param 'keep', 30

    step 'checkpoint the WAL into the main file', always: true, {
        if (abathur.query('PRAGMA journal_mode').value() != 'wal') {
            note "abathur is not in WAL mode (${abathur.query('PRAGMA journal_mode').value()}): the checkpoint has nothing to move"
        }
        def result = checkpoint abathur, 'TRUNCATE'   // announced: runs outside the transaction
        boolean described = dryRun
        expect('the checkpoint completed (busy = 0; a reader holding the WAL makes it 1)') {
            described || result.get(0).get(0) == 0L
        }
    }

    step 'snapshot abathur', always: true, {
        String name = "${prefix}${stamp}"
        def snap = snapshot name, abathur
        boolean described = dryRun
        expect("snapshot ${name} verifies against its manifest (sha256)") {
            described || Sluice.session().snapshots().verify(name).files().size() == 1
        }
        expect('integrity_check of the copy is ok') { described || snap.files().every { it.integrity() == 'ok' } }
        expect('the copy has the same row counts as the database') {
            described || snap.files()[0].counts().findAll { !it.key.startsWith('sluice_') } ==
                    abathur.tables().findAll { !it.startsWith('sluice_') }.collectEntries { [(it): abathur.count(it)] }
        }
    }

    step 'retention: keep the newest abathur_ snapshots', always: true, {
        def gone = prune(keep as int, prefix)
        if (gone) {
            note("pruned ${gone.size()}: ${gone.join(', ')}")
        }
        boolean described = dryRun
        expect("at most ${keep} ${prefix} snapshots remain") {
            described || snapshots().count { it.name().startsWith(prefix) } <= (keep as int)
        }
    }
}
