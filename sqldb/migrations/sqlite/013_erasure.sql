-- A client erased on request keeps its row, emptied of every identifying
-- value, so that the de-identified statistics (areas, memberships,
-- attentions, activity) stay; erased_at says when (docs/security.md).
ALTER TABLE clients ADD COLUMN erased_at INTEGER;

-- Every membership of one client, past ones too: an erasure empties their
-- notes and the access report lists them. memberships_current holds only
-- current ones.
CREATE INDEX memberships_client ON memberships(client_id);
