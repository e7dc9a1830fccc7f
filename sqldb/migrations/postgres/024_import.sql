-- client_import_keys makes a client import idempotent: each imported row's
-- key (its external_id, or a hash of the row when it has none) names the
-- client it became, so running the same file again changes nothing. An
-- erasure deletes the client's keys with its other identifiers.
CREATE TABLE client_import_keys (
    key         TEXT PRIMARY KEY,
    client_id   BIGINT NOT NULL REFERENCES clients(id),
    imported_at BIGINT NOT NULL
);
CREATE INDEX client_import_keys_client ON client_import_keys(client_id);
