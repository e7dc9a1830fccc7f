-- login_attempts replaces login_failures. Sign-in throttling reserves a
-- slot here before the password is checked, in one statement that both
-- counts and refuses, so a burst of simultaneous guesses cannot all pass a
-- check made before any of them was recorded. One row per account or
-- address: n attempts since window_start (a fixed window). A failed
-- attempt keeps its slot; a good sign-in gives its slots back.
CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    n            INTEGER NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts(window_start);
DROP TABLE login_failures;
