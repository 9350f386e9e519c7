// CORTEX 2.0 -> 1.0 rollback: seed 000's "Rollback Strategy" (../shared/seeds/000_…, 12-migration-strategy.md), the way
// back from playbooks/cortex-2-migration.groovy. Tier names as there: tier1, tier2, tier3.
//
//   sluice run playbooks/cortex-2-rollback.groovy -w cortex --yes                        (or step by step, or --dry-run)
//   sluice run playbooks/cortex-2-rollback.groovy -w cortex --yes -p snapshot=pre-migration-2
//
// Rollback actions (tier-specific), as the document lists them:
//   1  "Disable new features (set flags in config)": the six 2.0 feature rows of tier1's `config` set off (when the
//      table is there), so an application reading them stops using 2.0 while the files are restored;
//   2  "Restore DB files from backups/pre-migration/": the newest snapshot named `snapshotName` or `snapshotName`-N (the
//      migration's own copy, see its phase 1), or the one given with -p snapshot; verified against its manifest first,
//      the current state kept as a before-restore-… snapshot (nothing is lost), integrity_check after;
//   3  "Clear in-memory caches referencing new schema objects": the application's, outside Sluice (not done here);
//   4  "Re-run baseline verification (ensure 1.0 stability restored)": integrity_check and foreign_key_check on every
//      tier, every table's row count equal to the snapshot's manifest, and none of the 2.0 tables left.
// Every step is `always: true`: a rollback can be needed after each migration attempt. Its history rows land in the
// restored files (a rollback is recorded where it happened); the migration's own history is the snapshot's, so a
// migration run afterwards starts again at its snapshot step.
// "Data divergence note": rows written into the 2.0 tables after the snapshot are gone after the restore (kept only in
// the before-restore snapshot), as the document accepts.

playbook 'CORTEX 2.0 -> 1.0 rollback (seed 000)', {
    description 'Turns the 2.0 features off, restores the three tiers from the pre-migration snapshot and re-runs the ' +
            'baseline verification: integrity, foreign keys, counts against the snapshot, no 2.0 table left.'
    tiers 'tier1', 'tier2', 'tier3'
    param 'snapshotName', 'pre-migration'
    param 'snapshot', ''                 // empty: the newest snapshotName / snapshotName-N

    step 'choose the snapshot, disable the 2.0 features', always: true, {
        String name = chosen(snapshot, snapshotName)
        expect("a snapshot to restore: ${name ?: "none named $snapshotName or $snapshotName-N (give -p snapshot=NAME)"}") { name != null }
        if (name == null) {
            return
        }
        def s = dev.sluice.dsl.Sluice.session().snapshots().verify(name)   // sha256 of every file against its manifest
        note "will restore '${name}' taken ${s.createdAt()}: ${s.files().collect { "${it.tier()} (${it.counts().findAll { !it.key.startsWith('sluice_') }.values().sum() ?: 0} rows)" }.join(', ')}"
        expect("snapshot '$name' holds tier1, tier2 and tier3, each verified against its manifest") {
            s.files()*.tier().toSet() == ['tier1', 'tier2', 'tier3'].toSet()
        }
        if (tier1.hasTable('config')) {
            int n = tier1.exec("UPDATE config SET value = 'off' WHERE key IN (${FEATURES.collect { '?' }.join(', ')}) AND value <> 'off'", FEATURES as Object[])
            note "$n 2.0 feature flag(s) set off in tier1 config"
        } else {
            note 'tier1 has no config table: no 2.0 feature is on'
        }
    }

    step 'restore DB files from the snapshot', always: true, {
        String name = chosen(snapshot, snapshotName)
        def r = restore(name)
        if (r != null) {
            note r.toString()
        }
        expect("restored '$name' on tier1, tier2 and tier3, integrity_check ok on each") {
            dryRun || r.integrity().size() == 3 && r.integrity().every { it.ok() }
        }
    }

    step 're-run the baseline verification', always: true, {
        // (3, the application's caches, is outside Sluice.)
        String name = chosen(snapshot, snapshotName)
        def s = dev.sluice.dsl.Sluice.session().snapshots().get(name)
        [tier1, tier2, tier3].each { t ->
            expect("integrity_check on ${t.name()}") { t.integrity().ok() }
            expect("foreign_key_check on ${t.name()} is clean") { t.foreignKeyCheck().ok() }
            def counts = s.files().find { it.tier() == t.name() }.counts().findAll { !it.key.startsWith('sluice_') }
            expect("${t.name()}: every table's count equals the snapshot's (${counts.size()} tables)") {
                dryRun || counts.every { table, n -> t.hasTable(table) && t.count(table) == n }
            }
        }
        expect('no 2.0 table left (migrations, config, health_reports, plugins, …)') {
            dryRun || V2_TABLES.every { table -> [tier1, tier2, tier3].every { !it.hasTable(table) } }
        }
        expect('conversations has no 2.0 column (task_status, archived, last_action_at)') {
            dryRun || ['task_status', 'archived', 'last_action_at'].every { !tier1.hasColumn('conversations', it) }
        }
    }
}

@groovy.transform.Field static final List<String> FEATURES = ['plugins.hook_logging', 'self_review.schedule', 'maintenance.mode',
        'creation.incremental', 'telemetry.dashboards']

@groovy.transform.Field static final List<String> V2_TABLES = ['migrations', 'config', 'provenance_links', 'retention_snapshots',
        'health_reports', 'health_issues', 'maintenance_runs', 'creation_sessions', 'conversation_actions', 'plugins',
        'plugin_hook_executions']

/** -p snapshot, else the newest snapshot named {@code family} or family-N; null when there is none. */
String chosen(String given, String family) {
    if (given) {
        return given
    }
    def s = dev.sluice.dsl.Sluice.snapshots().findAll { it.name() == family || it.name() ==~ /${java.util.regex.Pattern.quote(family)}-\d+/ }
    s ? s.last().name() : null
}
