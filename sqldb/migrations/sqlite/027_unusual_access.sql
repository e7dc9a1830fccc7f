-- Unusual-access alerts (sqldb/alert_detect.go) name the agent, the day
-- (UTC, its first microsecond) and how many audit rows showed the
-- pattern; one alert per kind, agent and day, however often detection runs.
ALTER TABLE admin_alerts ADD COLUMN agent_id INTEGER REFERENCES agents(id);
ALTER TABLE admin_alerts ADD COLUMN pattern_day INTEGER;
ALTER TABLE admin_alerts ADD COLUMN pattern_rows INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX admin_alerts_pattern ON admin_alerts(kind, agent_id, pattern_day) WHERE agent_id IS NOT NULL;

-- Detection reads one day of one action: joins, views or searches, with
-- the actor and the client, from the index alone.
CREATE INDEX audit_action_at ON audit_events(action, at, actor_id, client_id);

-- Inactivity (sqldb/inactivity.go): when an agent was warned for not
-- signing in (cleared when they sign in), and when an admin last
-- reactivated them, which restarts the period as a sign-in does.
ALTER TABLE agents ADD COLUMN inactivity_warned_at INTEGER;
ALTER TABLE agents ADD COLUMN reactivated_at INTEGER;
CREATE INDEX agents_inactivity ON agents(inactivity_warned_at) WHERE inactivity_warned_at IS NOT NULL;
