-- CORTEX 2.0, group 6: plugins (seed 000: "registration into plugins table + hook audit logging"). Tier: tier1.
-- Columns are ours; plugin_hook_executions feeds phase 6's "failed / total" error rate and phase 7's 30-day retention.
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS plugins (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  version TEXT NOT NULL,
  entry_point TEXT,
  hooks TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(hooks)),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  registered_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS plugin_hook_executions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  plugin_id INTEGER NOT NULL REFERENCES plugins(id),
  hook TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('success', 'failed')),
  duration_ms INTEGER,
  executed_at TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_plugin_hook_executions_executed ON plugin_hook_executions(executed_at);
COMMIT;
