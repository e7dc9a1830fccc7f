-- members_version counts the changes to an area's clients (client_areas),
-- so that an instance keeping an area's clients in memory for the search's
-- area check (sqldb/area_members.go) knows, with one read, whether its copy
-- is current. The triggers keep it for every write, COPY included; they
-- run once a statement, so a bulk load updates each area once, not once a
-- row. The areas' rows are locked in the order of their ids, so that two
-- statements changing several areas' clients at once (import batches)
-- wait for each other rather than deadlock.
ALTER TABLE areas ADD COLUMN members_version BIGINT NOT NULL DEFAULT 0;
CREATE FUNCTION client_areas_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT area_id) INTO changed FROM changed_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT area_id) INTO changed FROM changed_old;
    ELSE
        SELECT array_agg(DISTINCT area_id) INTO changed
            FROM (SELECT area_id FROM changed_new UNION SELECT area_id FROM changed_old) c;
    END IF;
    IF changed IS NOT NULL THEN
        PERFORM 1 FROM areas WHERE id = ANY (changed) ORDER BY id FOR UPDATE;
        UPDATE areas SET members_version = members_version + 1 WHERE id = ANY (changed);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER client_areas_added AFTER INSERT ON client_areas
REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION client_areas_bump();
CREATE TRIGGER client_areas_removed AFTER DELETE ON client_areas
REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION client_areas_bump();
CREATE TRIGGER client_areas_changed AFTER UPDATE ON client_areas
REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION client_areas_bump();
