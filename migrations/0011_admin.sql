-- The back office (docs/API.md, Admin).
-- disabled_at: when an administrator disabled the account; NULL = active. A disabled user
-- cannot log in or refresh (403 account_disabled); disabling also ends every session.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- Notices to everyone: kept here, pushed once to whoever is online, fetched by the others
-- with GET /api/notices (newest first).
CREATE TABLE notices (
  id TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX notices_created ON notices (created_at);

-- GET /api/admin/stats counts messages per day of the last N days: a range on created_at.
CREATE INDEX messages_created ON messages (created_at);
