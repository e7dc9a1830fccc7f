-- The steps of signing in beyond the password: a second factor (time-based
-- one-time codes and recovery codes), the deployment's terms of use, and
-- the first-run guidance an agent has dismissed. Times are unix
-- microseconds (UTC).

-- two_factor holds an agent's TOTP secret, encrypted with a key derived from
-- the audit key, which lives outside the database (docs/security.md). An
-- enrolment waiting for its first code has no confirmed_at. last_step is the
-- time step of the last code accepted: a code of that step or an earlier
-- one is refused, so no code works twice.
CREATE TABLE two_factor (
    agent_id     INTEGER PRIMARY KEY REFERENCES agents(id),
    secret       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0
);

-- recovery_codes holds the SHA-256 of each one-time recovery code, never the
-- code.
CREATE TABLE recovery_codes (
    agent_id  INTEGER NOT NULL REFERENCES agents(id),
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (agent_id, code_hash)
);

-- terms_acceptances records which version of the terms of use each agent
-- accepted, and when.
CREATE TABLE terms_acceptances (
    agent_id    INTEGER NOT NULL REFERENCES agents(id),
    version     TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, version)
);

-- guidance_dismissals remembers the first-run banners and walkthrough each
-- agent has dismissed.
CREATE TABLE guidance_dismissals (
    agent_id     INTEGER NOT NULL REFERENCES agents(id),
    item         TEXT NOT NULL,
    dismissed_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, item)
);
