-- started_at is when the current (or last) attempt of a job was claimed,
-- so a long job such as a scan of the duplicates queue can say how long it
-- has been running. jobs_queued_kind finds the queued jobs of one kind (is
-- a scan already waiting?) without reading the whole queue.
ALTER TABLE jobs ADD COLUMN started_at INTEGER;
CREATE INDEX jobs_queued_kind ON jobs(kind, created_at) WHERE status = 'queued';
