-- CORTEX 2.0, group 1: core tables (seed 000, "Migration Script Organization"). Tier: tier1.
-- Idempotent: CREATE ... IF NOT EXISTS. Columns are ours: the document names these tables (config flags of phase 5,
-- provenance_links of phase 3 item 6, the retention snapshot of phase 3 item 5) without giving their DDL;
-- provenance_links has exactly the columns of the document's INSERT.
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS provenance_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_type TEXT NOT NULL,
  source_ref TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_ref TEXT NOT NULL,
  relation TEXT NOT NULL,
  confidence REAL NOT NULL DEFAULT 1.0 CHECK (confidence BETWEEN 0 AND 1),
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_provenance_links_source ON provenance_links(source_type, source_ref);
CREATE TABLE IF NOT EXISTS retention_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tier TEXT NOT NULL,
  policy TEXT NOT NULL CHECK (json_valid(policy)),
  row_counts TEXT NOT NULL CHECK (json_valid(row_counts)),
  taken_at TIMESTAMP NOT NULL
);
COMMIT;
