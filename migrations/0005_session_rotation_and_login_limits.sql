-- Refresh-token reuse detection: a session remembers the hash its last rotation replaced,
-- so a refresh that presents it (a stolen, already-rotated token) ends the session.
ALTER TABLE sessions ADD COLUMN previous_refresh_token_hash TEXT;
CREATE INDEX sessions_previous_refresh_idx ON sessions (previous_refresh_token_hash);
-- GET /api/me/sessions: a user's live sessions
CREATE INDEX sessions_user_revoked_idx ON sessions (user_id, revoked_at);
-- Failed logins are also limited per client address across usernames.
CREATE INDEX login_failures_client_idx ON login_failures (client, failed_at);
