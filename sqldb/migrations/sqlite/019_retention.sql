-- Retention: when a client without a team member for the retention period
-- was listed for review (sqldb/retention.go); cleared when someone joins.
ALTER TABLE clients ADD COLUMN retention_flagged_at INTEGER;
CREATE INDEX clients_retention ON clients(retention_flagged_at) WHERE retention_flagged_at IS NOT NULL;
