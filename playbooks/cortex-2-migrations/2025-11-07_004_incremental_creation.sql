-- CORTEX 2.0, group 4: incremental creation of large files (seed 000, phase 3 item 4: creation_sessions, populated
-- only when resuming failed large writes; empty otherwise). Tier: tier1. Columns are ours.
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS creation_sessions (
  id TEXT PRIMARY KEY,
  file_path TEXT NOT NULL,
  total_chunks INTEGER NOT NULL,
  chunks_written INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'completed', 'failed')),
  started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMIT;
