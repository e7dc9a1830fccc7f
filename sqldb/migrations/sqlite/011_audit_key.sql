-- The audit chain is keyed from here on (docs/security.md). audit_head holds
-- the signed checkpoint of the chain's head: which row keyed hashing starts
-- at, the newest row and its hash, signed with the key kept outside the
-- database. Patchwork writes it at the first start after this migration
-- (rows already present keep their unkeyed hashes and are sealed by the
-- first keyed row) and then in the same transaction as every append.
CREATE TABLE audit_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_from INTEGER NOT NULL,
    head_id    INTEGER NOT NULL,
    head_hash  TEXT NOT NULL,
    at         INTEGER NOT NULL,
    mac        TEXT NOT NULL
);
-- The checkpoint only moves forward and is never deleted: rewinding it to
-- hide deleted rows needs the triggers dropped first (and the checkpoint
-- file outside the database still tells).
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.head_id < OLD.head_id OR NEW.keyed_from <> OLD.keyed_from
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
