-- Search loads each candidate's aliases by client: with is_alias in the
-- index, a client without aliases (most) costs one index probe instead of
-- a probe and a read of its primary name's row.
DROP INDEX client_names_client;
CREATE INDEX client_names_client ON client_names(client_id, is_alias);
