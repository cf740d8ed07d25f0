-- Failed logins are counted per (username, client address): a stranger who knows a
-- username can no longer lock its owner out by failing on purpose from elsewhere.
ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
DROP INDEX login_failures_username_idx;
CREATE INDEX login_failures_username_client_idx ON login_failures (username COLLATE NOCASE, client, failed_at);
-- the clean-up of old failures
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);
