-- Where each of an agent's areas came from: NULL for one the agent chose,
-- or the client whose team put them there when they joined it (Patchwork
-- adds a client's local areas to the agents who join the team, so that
-- local-first search shows that client's neighbours first). Leaving the
-- team removes an area only that team added; the profile shows such areas
-- as added automatically, and the agent may remove them.
ALTER TABLE agent_areas ADD COLUMN from_client_id INTEGER;
