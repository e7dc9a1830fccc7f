-- What admins must look at, such as the audit log failing its scheduled
-- check (sqldb/alert.go). detail names rows and problems, never client data.
CREATE TABLE admin_alerts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
