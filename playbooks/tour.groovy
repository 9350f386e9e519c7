// A short tour on the demo workspace (sluice demo): seed 000's "add task status" in three steps.
// Run it:  scripts/sluice run playbooks/tour.groovy -w sluice-demo
playbook 'Tour: give conversations a task status', {
    description 'Adds conversations.task_status, backfills it with an UPDATE, indexes it, and checks each step.'
    tiers 'tier1', optional: ['tier2', 'tier3']
    param 'status', 'open'
    requires {                                       // checked before anything runs, in every run mode
        columns tier1, 'conversations', 'id', 'last_updated'
    }

    step 'add a task_status column', {
        addColumn tier1, 'conversations', 'task_status TEXT'
        expect('the column exists') { tier1.hasColumn('conversations', 'task_status') }
    }

    step 'backfill task_status', {
        tier1.exec('UPDATE conversations SET task_status = ? WHERE task_status IS NULL', status)
        expect('every conversation has a status') { tier1.count('conversations', 'task_status IS NULL') == 0 }
        expect('no conversation was lost') { tier1.count('conversations') == 2000 }
    }

    step 'index conversations by status', {
        createIndex tier1, 'CREATE INDEX idx_conversations_status ON conversations(task_status, last_updated DESC)'
        expect('the index exists') { tier1.hasIndex('idx_conversations_status') }
    }
}
