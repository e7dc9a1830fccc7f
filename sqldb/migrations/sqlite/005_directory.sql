-- The phone book's search index: every word an agent or agency can be found
-- by (name, role, agency, sector, areas), folded, so the search box reads an
-- index range per word instead of scanning every agent. Private words (the
-- real role of a sensitive-role agent, the real name of a sensitive agency)
-- are found only by admins and the agency's own staff.
CREATE TABLE agent_words (
    word     TEXT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    private  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (word, agent_id)
) WITHOUT ROWID;
CREATE INDEX agent_words_agent ON agent_words(agent_id);

CREATE TABLE agency_words (
    word      TEXT NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    private   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (word, agency_id)
) WITHOUT ROWID;
CREATE INDEX agency_words_agency ON agency_words(agency_id);

-- directory_vocab holds every distinct word of the two tables above (a
-- word no longer used may linger; it then finds nothing). A misspelt query
-- word is corrected against it: the words sharing its first two letters
-- are few, and those one typo away or sounding alike are then looked up.
CREATE TABLE directory_vocab (
    word TEXT NOT NULL PRIMARY KEY
) WITHOUT ROWID;

-- Local-first search filters candidates by area: with the client ids in the
-- area index, PostgreSQL reads an area's clients from the index alone
-- (10,000 of them in 2 ms instead of 10).
DROP INDEX client_areas_area;
CREATE INDEX client_areas_area ON client_areas(area_id, client_id);
