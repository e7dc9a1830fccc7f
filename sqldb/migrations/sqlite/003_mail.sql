-- The durable email pipeline: background jobs, notification preferences, the
-- local outbox used when no SMTP server is configured, and the link from each
-- notification to the job that delivers it. Times are unix microseconds (UTC).

-- jobs is the queue. A worker claims a due job by setting locked_until; a
-- killed worker's job becomes claimable again when the lock expires.
-- unique_key makes scheduled and per-period jobs (digests) happen once.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    unique_key   TEXT UNIQUE,
    priority     INTEGER NOT NULL DEFAULT 0,
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    locked_until INTEGER,
    locked_by    TEXT,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    done_at      INTEGER
);
CREATE INDEX jobs_due ON jobs(priority DESC, run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_finished ON jobs(status, done_at) WHERE status <> 'queued';

-- notification_prefs holds the modes agents chose; a missing row means the
-- kind's default.
CREATE TABLE notification_prefs (
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    kind       TEXT NOT NULL,
    mode       TEXT NOT NULL CHECK (mode IN ('immediate', 'daily', 'weekly', 'never')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, kind)
);

-- outbox receives emails when no SMTP server is configured (demo mode shows
-- it at /dev/mail). message_id is unique so a retried job stores once.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER,
    message_id TEXT NOT NULL UNIQUE,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    headers    TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);

-- delivery is the mode decided when the event happened (immediate, daily,
-- weekly, never); job_id the job that delivers the notification, set in the
-- event's transaction (immediate) or by the period's digest run. job_id has no
-- foreign key so that finished jobs can be purged.
ALTER TABLE notifications ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN job_id INTEGER;
CREATE INDEX notifications_activity ON notifications(activity_id);
CREATE INDEX notifications_job ON notifications(job_id);
CREATE INDEX notifications_digest ON notifications(delivery, agent_id, created_at)
    WHERE handled_at IS NULL AND job_id IS NULL;
