-- imports records each real run of patchwork import as a durable job: the
-- file's SHA-256, kind and options name it, so that the same command run
-- again after a crash finds it and resumes after rows_done (the last
-- batch committed with it). status: checking (every row is being checked;
-- nothing written yet), writing, done, or rejected (rows had problems, so
-- nothing was written). run_started_at and run_from (rows_done then) give
-- the current run's rows per second. No client data: counts only, and the
-- file's base name.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    options        TEXT NOT NULL,
    status         TEXT NOT NULL,
    rows_total     INTEGER NOT NULL DEFAULT 0,
    rows_done      INTEGER NOT NULL DEFAULT 0,
    imported       INTEGER NOT NULL DEFAULT 0,
    unchanged      INTEGER NOT NULL DEFAULT 0,
    links          INTEGER NOT NULL DEFAULT 0,
    problems       INTEGER NOT NULL DEFAULT 0,
    runs           INTEGER NOT NULL DEFAULT 1,
    started_by     INTEGER REFERENCES agents(id),
    started_at     INTEGER NOT NULL,
    run_started_at INTEGER NOT NULL,
    run_from       INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    finished_at    INTEGER
);
CREATE INDEX imports_file ON imports(file_sha256, kind);

-- import_problems are the rows an import reported, each as the command
-- printed it (row N: field: reason): the admin page lists them. Reasons
-- name columns, areas, agencies and agents' addresses, never a client's
-- details; a likely duplicate is named by its reference.
CREATE TABLE import_problems (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    row_no    INTEGER NOT NULL,
    field     TEXT NOT NULL,
    reason    TEXT NOT NULL
);
CREATE INDEX import_problems_import ON import_problems(import_id, row_no);

-- The import that wrote each key: the duplicate check of an import looks
-- past the clients the same import wrote, so that a dry run, a real run
-- and a resumed one report the same rows.
ALTER TABLE client_import_keys ADD COLUMN import_id INTEGER REFERENCES imports(id);
