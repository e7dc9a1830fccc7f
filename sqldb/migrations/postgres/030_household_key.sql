-- A client's household key: the normalised address and postcode that
-- clients at one address share (sqldb.HouseholdKey), '' without an
-- address. Household hints look clients up by it instead of comparing the
-- viewer's whole caseload. Every write of an address sets it, erasure
-- clears it; the migration runner fills it for existing clients in Go
-- (backfillHouseholdKeys), because the normalisation folds case beyond
-- ASCII, which neither database's lower() does alike.
ALTER TABLE clients ADD COLUMN household_key TEXT NOT NULL DEFAULT '';
CREATE INDEX clients_household ON clients(household_key) WHERE household_key <> '';
