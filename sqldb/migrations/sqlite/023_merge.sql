-- Merging duplicate clients. A merged client keeps its row, marked with
-- the client it was merged into (search leaves it out, its address sends
-- members on); client_merge_items remembers everything the merge moved,
-- so that an undo within 30 days puts it all back.

ALTER TABLE clients ADD COLUMN merged_into INTEGER REFERENCES clients(id);

CREATE TABLE client_merges (
    id        INTEGER PRIMARY KEY,
    keep_id   INTEGER NOT NULL REFERENCES clients(id),
    merge_id  INTEGER NOT NULL REFERENCES clients(id),
    merged_by INTEGER REFERENCES agents(id),
    merged_at INTEGER NOT NULL,
    undone_at INTEGER,
    undone_by INTEGER REFERENCES agents(id)
);
CREATE INDEX client_merges_merge ON client_merges(merge_id, id);
CREATE INDEX client_merges_keep ON client_merges(keep_id, id);

-- kind: membership_ended (a membership of B the merge ended), membership_added
-- (a membership on A it created), attention, activity (rows moved from B to
-- A), area (an area of B added to A), circle_added (a link A gained: data is
-- "a,b"), circle_removed (a link of B: data holds it as JSON), invitation (a
-- pending invitation moved from B to A).
CREATE TABLE client_merge_items (
    merge_id INTEGER NOT NULL REFERENCES client_merges(id),
    kind     TEXT NOT NULL,
    item_id  INTEGER NOT NULL DEFAULT 0,
    data     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX client_merge_items_merge ON client_merge_items(merge_id, kind);

-- The duplicates queue: likely pairs found by the duplicate check, with its
-- reasons; status open, dismissed or merged.
CREATE TABLE duplicate_pairs (
    id         INTEGER PRIMARY KEY,
    client_a   INTEGER NOT NULL REFERENCES clients(id),
    client_b   INTEGER NOT NULL REFERENCES clients(id),
    reasons    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'open',
    found_at   INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by INTEGER REFERENCES agents(id),
    CHECK (client_a < client_b)
);
CREATE UNIQUE INDEX duplicate_pairs_pair ON duplicate_pairs(client_a, client_b);
CREATE INDEX duplicate_pairs_status ON duplicate_pairs(status, id);
