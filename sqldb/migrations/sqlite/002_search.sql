-- The client search index (docs/search-names.md): one row per name key of a
-- client's primary name and aliases, written with the client. It is derived
-- data, rebuilt by `patchwork search-reindex`, so it carries no foreign key
-- (bulk loads stay fast). The primary key is the lookup index.
CREATE TABLE client_keys (
    key       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    client_id INTEGER NOT NULL,
    PRIMARY KEY (key, kind, client_id)
) WITHOUT ROWID;

-- client_key_freq counts clients per key, so a search can skip keys shared by
-- thousands of clients ("smith") and lean on the rare ones.
CREATE TABLE client_key_freq (
    key  TEXT NOT NULL,
    kind TEXT NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (key, kind)
) WITHOUT ROWID;

-- client_searches counts each agent's client searches for the rate limit; rows
-- older than the window are trimmed as new ones are written.
CREATE TABLE client_searches (
    id       INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX client_searches_agent ON client_searches(agent_id, at);
CREATE INDEX client_searches_at ON client_searches(at);
