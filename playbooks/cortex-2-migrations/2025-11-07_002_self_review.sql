-- CORTEX 2.0, group 2: self-review (seed 000, phase 2). Tier: tier1.
-- The document elides the columns ("CREATE TABLE IF NOT EXISTS health_reports (...)"); these are ours, shaped by what
-- it queries: overall_status and created_at (phase 4's SQL bundle), a score (success criteria: "self-review score not
-- worse than pre-migration by >5%"), and issues with a severity ("no critical self-review issues").
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS health_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  source TEXT NOT NULL,
  overall_status TEXT NOT NULL CHECK (overall_status IN ('EXCELLENT', 'GOOD', 'FAIR', 'POOR', 'CRITICAL')),
  overall_score REAL NOT NULL CHECK (overall_score BETWEEN 0 AND 100),
  metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics))
);
CREATE TABLE IF NOT EXISTS health_issues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id INTEGER NOT NULL REFERENCES health_reports(id) ON DELETE CASCADE,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  category TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_health_reports_created ON health_reports(created_at DESC);
CREATE INDEX IF NOT EXISTS idx_health_issues_report ON health_issues(report_id);
COMMIT;
