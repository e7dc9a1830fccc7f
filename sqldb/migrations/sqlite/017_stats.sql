-- The network statistics, rebuilt whole by the stats_rebuild job: one row
-- per area, calendar month and measure (patchwork.StatMeasures), with the
-- suppression decided at build time (docs/security.md, Statistics). Only
-- counts, a median and how many it is of: never a name.
CREATE TABLE stats_cells (
    area_id    BIGINT NOT NULL,
    month      TEXT NOT NULL,
    measure    TEXT NOT NULL,
    value      BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    suppressed INTEGER NOT NULL,
    PRIMARY KEY (area_id, month, measure)
);
