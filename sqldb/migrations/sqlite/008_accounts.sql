-- Accounts: sessions bound to their agent (for "Your sessions", signing out
-- everywhere else and ending an agent's sessions at once), password reset
-- tokens, reset-request throttling and lockout emails. Times are unix
-- microseconds (UTC).

-- A session row without an agent is never loaded (see SessionStore), so
-- sessions from before this migration are signed out once.
ALTER TABLE sessions ADD COLUMN agent_id INTEGER REFERENCES agents(id);
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_agent ON sessions(agent_id);

-- password_resets holds the SHA-256 of each emailed reset token, never the
-- token. The token is derived from nonce with the deployment secret, so the
-- worker can put it in the email without it being stored anywhere.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    nonce      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_agent ON password_resets(agent_id);

-- password_reset_requests counts reset requests per address and per IP.
CREATE TABLE password_reset_requests (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX password_reset_requests_key ON password_reset_requests(key, at);

-- lockout_notices remembers when an agent was last emailed about a lockout,
-- so that one lockout window sends one email.
CREATE TABLE lockout_notices (
    agent_id    INTEGER PRIMARY KEY REFERENCES agents(id),
    notified_at INTEGER NOT NULL
);
