-- team_joins records each join of a team made with a join ticket: the
-- ticket, so that it cannot be used twice (join, leave, join again), and
-- when, for the per-agent join limit. counted is 0 for joins made by
-- seeding, which no agent made. Rows are kept as long as a ticket lives,
-- then purged by the worker's hourly clean-up.
CREATE TABLE team_joins (
    ticket   TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    counted  INTEGER NOT NULL
);
CREATE INDEX team_joins_agent ON team_joins(agent_id, at);
CREATE INDEX team_joins_at ON team_joins(at);
