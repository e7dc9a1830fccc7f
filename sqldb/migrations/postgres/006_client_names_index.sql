-- Search reads client_names by name and by client. Each index carries
-- what those lookups need, so they are answered from the index alone:
-- a name lookup within the caller's areas reads thousands of names of a
-- common one ("Olivia Smith"), and fetching each row's client_id from the
-- table cost more than the rest of the search. Loading a candidate's
-- aliases by (client, is_alias) skips the row of its primary name.
DROP INDEX client_names_client;
CREATE INDEX client_names_client ON client_names(client_id, is_alias);
DROP INDEX client_names_family;
CREATE INDEX client_names_family ON client_names(family_norm, given_norm, client_id);
DROP INDEX client_names_given;
CREATE INDEX client_names_given ON client_names(given_norm, client_id);
