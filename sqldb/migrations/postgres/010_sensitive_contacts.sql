-- A sensitive agency's chosen contact route: the generic mailbox and phone
-- shown to outsiders in place of its staff's own addresses and numbers, and
-- whether it publishes its staff's direct contacts to the agents who share a
-- client's team with them (off by default). See docs/security.md.
ALTER TABLE agencies ADD COLUMN generic_email TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN generic_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN publish_direct BIGINT NOT NULL DEFAULT 0;
