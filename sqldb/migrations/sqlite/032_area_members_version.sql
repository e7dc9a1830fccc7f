-- members_version counts the changes to an area's clients (client_areas),
-- so that an instance keeping an area's clients in memory for the search's
-- area check (sqldb/area_members.go) knows, with one read, whether its copy
-- is current. The triggers keep it for every write, the bulk loads too.
ALTER TABLE areas ADD COLUMN members_version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER client_areas_added AFTER INSERT ON client_areas
BEGIN UPDATE areas SET members_version = members_version + 1 WHERE id = NEW.area_id; END;
CREATE TRIGGER client_areas_removed AFTER DELETE ON client_areas
BEGIN UPDATE areas SET members_version = members_version + 1 WHERE id = OLD.area_id; END;
CREATE TRIGGER client_areas_changed AFTER UPDATE ON client_areas
BEGIN UPDATE areas SET members_version = members_version + 1 WHERE id IN (OLD.area_id, NEW.area_id); END;
