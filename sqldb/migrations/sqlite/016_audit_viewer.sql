-- Which clients each search showed, by audit row: the access report finds
-- the searches that showed a client through it, and checks each against
-- the row's own (chained) detail, which stays the record.
CREATE TABLE audit_shown (
    client_id INTEGER NOT NULL,
    audit_id  INTEGER NOT NULL,
    PRIMARY KEY (client_id, audit_id)
) WITHOUT ROWID;

-- The audit viewer's filters, newest first.
CREATE INDEX audit_actor ON audit_events(actor_id, id);
CREATE INDEX audit_action ON audit_events(action, id);
CREATE INDEX audit_at ON audit_events(at);
