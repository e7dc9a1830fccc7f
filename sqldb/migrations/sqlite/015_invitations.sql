-- invitations are members' invitations of colleagues onto client teams: a
-- join ticket for one person and one client. The emailed token is derived
-- from nonce with the deployment secret and only its SHA-256 is kept, as
-- for password resets. invitee_id is NULL for a new colleague invited by an
-- address with no account; whoever signs up with that address is the
-- invitee. activity_id is the "invited" activity, whose notification (for
-- an agent) carries the link. Times are unix microseconds (UTC).
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    inviter_id  INTEGER NOT NULL REFERENCES agents(id),
    invitee_id  INTEGER REFERENCES agents(id),
    email       TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    nonce       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    activity_id INTEGER REFERENCES activities(id),
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'withdrawn', 'expired')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    ended_by    INTEGER REFERENCES agents(id)
);
CREATE INDEX invitations_client ON invitations(client_id) WHERE status = 'pending';
CREATE INDEX invitations_inviter ON invitations(inviter_id, created_at);
CREATE INDEX invitations_expiry ON invitations(expires_at) WHERE status = 'pending';
CREATE INDEX invitations_activity ON invitations(activity_id);
-- An agent's own pending invitations, by agent or by address.
CREATE INDEX invitations_invitee ON invitations(invitee_id) WHERE status = 'pending';
CREATE INDEX invitations_email ON invitations(email) WHERE status = 'pending';
-- One pending invitation per address and client.
CREATE UNIQUE INDEX invitations_one_pending ON invitations(client_id, email) WHERE status = 'pending';
