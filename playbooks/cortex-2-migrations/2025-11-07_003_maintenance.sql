-- CORTEX 2.0, group 3: database maintenance (seed 000, phases 4 and 5: "maintenance dry-run returns a plan",
-- "auto-plan (dry-run only)", then "active mode"). Tier: tier1. Columns are ours.
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS maintenance_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tier TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('dry_run', 'active')),
  plan TEXT NOT NULL CHECK (json_valid(plan)),
  status TEXT NOT NULL CHECK (status IN ('planned', 'applied', 'failed')),
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMIT;
