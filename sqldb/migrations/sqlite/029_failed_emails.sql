-- An admin may give up on a failed email for good: the job is then done,
-- never sent, and discarded_at says when it was given up (the audit row
-- says by whom). An admin may also send a pending invitation's email again
-- (the same link, the same expiry); resent_at throttles that.
ALTER TABLE jobs ADD COLUMN discarded_at INTEGER;
ALTER TABLE invitations ADD COLUMN resent_at INTEGER;
