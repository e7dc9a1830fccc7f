-- Sign-up: the email domains agencies accept staff from, emailed
-- verification links, the requests counted for throttling and the access
-- requests of addresses at no approved domain. Times are unix microseconds
-- (UTC).

-- agency_domains lists the domains an agency takes sign-ups from. Several
-- agencies may share one (a council's teams, the demo's patchwork.test):
-- whoever signs up at it chooses among them. agencies.email_domain stays
-- the agency's own domain (the one a sensitive agency's staff addresses
-- are hidden by) and is copied here.
CREATE TABLE agency_domains (
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    domain    TEXT NOT NULL,
    PRIMARY KEY (domain, agency_id)
);
INSERT INTO agency_domains (agency_id, domain) SELECT id, email_domain FROM agencies WHERE email_domain <> '';
-- A demo database seeded before sign-up gets what a new one is seeded with:
-- every demo agency takes sign-ups from the demo's domain.
INSERT INTO agency_domains (agency_id, domain)
    SELECT id, 'patchwork.test' FROM agencies
    WHERE email_domain <> 'patchwork.test' AND EXISTS (SELECT 1 FROM settings WHERE key = 'demo' AND value = 'true');

-- signups holds the SHA-256 of each emailed sign-up token, never the token:
-- as for password resets, the token is derived from nonce with the
-- deployment secret. agency_id is set when an admin approved an access
-- request for one agency; next is where a completed sign-up continues (an
-- invitation).
CREATE TABLE signups (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    agency_id  INTEGER REFERENCES agencies(id),
    next       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX signups_email ON signups(email);

-- signup_requests counts sign-up requests per address and per IP.
CREATE TABLE signup_requests (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX signup_requests_key ON signup_requests(key, at);

-- access_requests are what an address at no approved domain asks for.
-- status: pending, approved or refused.
CREATE TABLE access_requests (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    agency_name   TEXT NOT NULL,
    manager_name  TEXT NOT NULL,
    manager_email TEXT NOT NULL,
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    agency_id     INTEGER REFERENCES agencies(id),
    decided_by    INTEGER REFERENCES agents(id),
    decided_at    INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX access_requests_status ON access_requests(status, created_at);
