-- Agencies administration: an agency is pending (set up by an admin, not
-- yet approved: it takes no sign-ups), active, or suspended (its agents
-- cannot sign in). Every agency before this migration was active.
ALTER TABLE agencies ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
CREATE INDEX agencies_status ON agencies(status);

-- agency_suspended_agents lists the agents an agency's suspension
-- deactivated, so that lifting it reactivates exactly them, and not an
-- agent an admin had deactivated on their own before. suspended_at is the
-- deactivated_at the suspension gave them (unix microseconds, UTC).
CREATE TABLE agency_suspended_agents (
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    agent_id     INTEGER NOT NULL REFERENCES agents(id),
    suspended_at INTEGER NOT NULL,
    PRIMARY KEY (agency_id, agent_id)
);
