-- Circles: links between two clients, with the relationship. A link is
-- stored once, client_a < client_b, and relationship says what client_b is
-- to client_a (client_b is client_a's parent); the other side reads the
-- reciprocal (patchwork.ReciprocalRelationship). Merging and erasing a
-- client re-point or delete its links (sqldb/circle_admin.go).
CREATE TABLE circle_links (
    id           INTEGER PRIMARY KEY,
    client_a     INTEGER NOT NULL REFERENCES clients(id),
    client_b     INTEGER NOT NULL REFERENCES clients(id),
    relationship TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER NOT NULL REFERENCES agents(id),
    created_at   INTEGER NOT NULL,
    CHECK (client_a < client_b)
);
CREATE UNIQUE INDEX circle_links_pair ON circle_links(client_a, client_b);
CREATE INDEX circle_links_b ON circle_links(client_b);

-- Each member's contact dates (YYYY-MM-DD, '' when not set), the next
-- contact's optional time (HH:MM) and kind (visit, call, meeting); when
-- they last confirmed or updated the membership (NULL: not since joining)
-- and when they were last asked to (the staleness review); and the lead
-- professional, one current member per client at most.
ALTER TABLE memberships ADD COLUMN last_contact_on TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN next_contact_on TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN next_contact_time TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN next_contact_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN reviewed_at INTEGER;
ALTER TABLE memberships ADD COLUMN review_asked_at INTEGER;
ALTER TABLE memberships ADD COLUMN is_lead INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX memberships_lead ON memberships(client_id) WHERE is_lead = 1 AND left_at IS NULL;
CREATE INDEX memberships_next_contact ON memberships(agent_id, next_contact_on) WHERE left_at IS NULL AND next_contact_on <> '';

-- A pending proposal of a lead professional: one per client at a time,
-- replaced by a newer one; the proposed agent accepts or declines.
CREATE TABLE lead_proposals (
    client_id   INTEGER PRIMARY KEY REFERENCES clients(id),
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    proposed_by INTEGER NOT NULL REFERENCES agents(id),
    created_at  INTEGER NOT NULL
);
