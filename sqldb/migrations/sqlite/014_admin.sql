-- Area admins: an agent administers the districts listed here (a system
-- admin has agents.is_admin instead). The people list shows each agent's
-- last sign-in, read from the audit log by actor.

CREATE TABLE admin_districts (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    district_id INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (agent_id, district_id)
);

CREATE INDEX audit_actor_action ON audit_events(actor_id, action, at);
