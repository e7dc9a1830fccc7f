-- Attentions: important information a team member raises so the rest of the
-- team is alerted; members acknowledge them and anyone on the team can
-- resolve them with a note.
CREATE TABLE attentions (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    raised_by       INTEGER NOT NULL REFERENCES agents(id),
    category        TEXT NOT NULL,
    message         TEXT NOT NULL,
    urgent          INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    resolved_by     INTEGER REFERENCES agents(id),
    resolution_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attentions_client ON attentions(client_id, id);

CREATE TABLE attention_acks (
    attention_id INTEGER NOT NULL REFERENCES attentions(id),
    agent_id     INTEGER NOT NULL REFERENCES agents(id),
    at           INTEGER NOT NULL,
    PRIMARY KEY (attention_id, agent_id)
);
