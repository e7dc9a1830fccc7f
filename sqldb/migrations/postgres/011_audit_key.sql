-- The audit chain is keyed from here on (docs/security.md). audit_head holds
-- the signed checkpoint of the chain's head: which row keyed hashing starts
-- at, the newest row and its hash, signed with the key kept outside the
-- database. Patchwork writes it at the first start after this migration
-- (rows already present keep their unkeyed hashes and are sealed by the
-- first keyed row) and then in the same transaction as every append.
CREATE TABLE audit_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_from BIGINT NOT NULL,
    head_id    BIGINT NOT NULL,
    head_hash  TEXT NOT NULL,
    at         BIGINT NOT NULL,
    mac        TEXT NOT NULL
);

-- Row triggers do not fire on TRUNCATE: refuse it outright.
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The checkpoint only moves forward and is never deleted: rewinding it to
-- hide deleted rows needs the triggers dropped first (and the checkpoint
-- file outside the database still tells).
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.head_id >= OLD.head_id AND NEW.keyed_from = OLD.keyed_from THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_head only moves forward';
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward();
