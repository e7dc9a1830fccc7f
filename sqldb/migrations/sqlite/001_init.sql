-- Core schema: areas, agencies, agents, clients, teams, activity, audit,
-- sessions and sign-in throttling. Times are unix microseconds (UTC).

CREATE TABLE areas (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES areas(id),
    kind      TEXT NOT NULL CHECK (kind IN ('network', 'district', 'local')),
    name      TEXT NOT NULL
);
CREATE INDEX areas_parent ON areas(parent_id);

CREATE TABLE agencies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    sector        TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    contact_route TEXT NOT NULL DEFAULT '',
    sensitive     INTEGER NOT NULL DEFAULT 0,
    generic_label TEXT NOT NULL DEFAULT '',
    email_domain  TEXT NOT NULL DEFAULT '',
    name_norm     TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX agencies_name_norm ON agencies(name_norm);

CREATE TABLE agency_areas (
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    area_id   INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (agency_id, area_id)
);

CREATE TABLE agents (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    name              TEXT NOT NULL,
    name_norm         TEXT NOT NULL DEFAULT '',
    role              TEXT NOT NULL DEFAULT '',
    sensitive_role    INTEGER NOT NULL DEFAULT 0,
    generic_role      TEXT NOT NULL DEFAULT '',
    agency_id         INTEGER NOT NULL REFERENCES agencies(id),
    mobile            TEXT NOT NULL DEFAULT '',
    landline          TEXT NOT NULL DEFAULT '',
    contact_email     TEXT NOT NULL DEFAULT '',
    preferred_contact TEXT NOT NULL DEFAULT 'email',
    working_hours     TEXT NOT NULL DEFAULT '',
    is_admin          INTEGER NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    deactivated_at    INTEGER
);
CREATE INDEX agents_agency ON agents(agency_id);
CREATE INDEX agents_name_norm ON agents(name_norm);

CREATE TABLE agent_areas (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    area_id  INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (agent_id, area_id)
);

CREATE TABLE clients (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    postcode      TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES agents(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX clients_dob ON clients(date_of_birth);

-- client_names holds the primary name and every alias, normalised, so that
-- search treats aliases as names.
CREATE TABLE client_names (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    is_alias    INTEGER NOT NULL DEFAULT 0,
    display     TEXT NOT NULL,
    given_norm  TEXT NOT NULL,
    family_norm TEXT NOT NULL
);
CREATE INDEX client_names_client ON client_names(client_id);
CREATE INDEX client_names_family ON client_names(family_norm, given_norm);
CREATE INDEX client_names_given ON client_names(given_norm);

CREATE TABLE client_areas (
    client_id INTEGER NOT NULL REFERENCES clients(id),
    area_id   INTEGER NOT NULL REFERENCES areas(id),
    PRIMARY KEY (client_id, area_id)
);
CREATE INDEX client_areas_area ON client_areas(area_id);

CREATE TABLE memberships (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients(id),
    agent_id     INTEGER NOT NULL REFERENCES agents(id),
    joined_at    INTEGER NOT NULL,
    left_at      INTEGER,
    leave_reason TEXT NOT NULL DEFAULT '',
    leave_note   TEXT NOT NULL DEFAULT '',
    how_joined   TEXT NOT NULL,
    basis        TEXT NOT NULL DEFAULT '',
    basis_note   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX memberships_current ON memberships(client_id, agent_id) WHERE left_at IS NULL;
CREATE INDEX memberships_agent ON memberships(agent_id) WHERE left_at IS NULL;

CREATE TABLE activities (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients(id),
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX activities_client ON activities(client_id, id);

-- notifications are the hand-over to the mail pipeline: one row per agent to
-- tell about an activity.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id),
    kind        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    handled_at  INTEGER
);
CREATE INDEX notifications_pending ON notifications(handled_at, id);

-- audit_events is append-only; each row carries the hash of the previous row.
CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    client_id INTEGER,
    detail    TEXT NOT NULL DEFAULT '',
    ip        TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_client ON audit_events(client_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data       BLOB NOT NULL,
    expiry     INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

-- login_failures counts failed sign-ins per account and per address, so that
-- throttling holds across instances and restarts.
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

-- settings holds deployment-wide flags, such as whether this database holds
-- demo data (the demo password is accepted only then).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
