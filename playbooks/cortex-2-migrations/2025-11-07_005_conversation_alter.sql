-- CORTEX 2.0, group 5: conversation state (seed 000, phase 2's example, verbatim, plus conversation_actions of phase 3).
-- Tier: tier1. The playbook runs each ALTER TABLE ... ADD COLUMN only if the column is not present (PRAGMA table_info),
-- the document's idempotency rule. conversation_actions' columns are ours.
BEGIN TRANSACTION;
ALTER TABLE conversations ADD COLUMN task_status TEXT DEFAULT 'open';
ALTER TABLE conversations ADD COLUMN archived INTEGER DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_action_at TIMESTAMP;
CREATE INDEX IF NOT EXISTS idx_conversations_active ON conversations(archived, last_updated DESC);
CREATE TABLE IF NOT EXISTS conversation_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  message_id INTEGER REFERENCES messages(id),
  action_type TEXT NOT NULL,
  summary TEXT NOT NULL,
  synthetic INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_conversation_actions_conversation ON conversation_actions(conversation_id, created_at);
CREATE INDEX IF NOT EXISTS idx_conversation_actions_message ON conversation_actions(message_id);
COMMIT;
