-- edge-im schema v1. Times are Unix epoch milliseconds; ids are UUID strings.
-- Every index below serves a query named beside it (worker/db/*.ts).

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  avatar        TEXT,
  bio           TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
-- login and look-up by username (case-insensitive)
CREATE UNIQUE INDEX users_username_uq ON users (username COLLATE NOCASE);

-- One row per logged-in device. The refresh token is stored only as a SHA-256 hash.
CREATE TABLE sessions (
  id                 TEXT PRIMARY KEY,
  user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id          TEXT NOT NULL,
  refresh_token_hash TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  last_used_at       INTEGER NOT NULL,
  expires_at         INTEGER NOT NULL,
  revoked_at         INTEGER
);
-- refresh: find the session by its token hash
CREATE UNIQUE INDEX sessions_refresh_uq ON sessions (refresh_token_hash);
-- login on a device replaces that device's live session
CREATE INDEX sessions_user_device_idx ON sessions (user_id, device_id);

-- Failed logins, for throttling (429) by username.
CREATE TABLE login_failures (
  username   TEXT NOT NULL COLLATE NOCASE,
  failed_at  INTEGER NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username COLLATE NOCASE, failed_at);

CREATE TABLE friend_requests (
  id           TEXT PRIMARY KEY,
  from_user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  to_user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  message      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
  created_at   INTEGER NOT NULL,
  responded_at INTEGER
);
-- at most one pending request per direction
CREATE UNIQUE INDEX friend_requests_pending_uq ON friend_requests (from_user_id, to_user_id) WHERE status = 'pending';
-- incoming list
CREATE INDEX friend_requests_to_idx ON friend_requests (to_user_id, status, created_at);
-- outgoing list
CREATE INDEX friend_requests_from_idx ON friend_requests (from_user_id, status, created_at);

-- A friendship is two rows, one per side, so each side keeps its own remark.
CREATE TABLE friendships (
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  friend_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  remark     TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;

CREATE TABLE groups (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  avatar       TEXT,
  announcement TEXT NOT NULL DEFAULT '',
  join_policy  TEXT NOT NULL DEFAULT 'invite' CHECK (join_policy IN ('open', 'invite')),
  owner_id     TEXT NOT NULL REFERENCES users (id),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE group_members (
  group_id  TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  nickname  TEXT NOT NULL DEFAULT '',
  remark    TEXT NOT NULL DEFAULT '',
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
-- "my groups"
CREATE INDEX group_members_user_idx ON group_members (user_id);

-- A conversation: 'd:<smaller user id>:<larger user id>' for 1:1, 'g:<group id>' for a group.
-- last_seq is the one place sequence numbers are assigned (see worker/db/messages.ts).
CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
  group_id   TEXT REFERENCES groups (id) ON DELETE CASCADE,
  last_seq   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Who sees a conversation, and how far each of them has read.
CREATE TABLE conversation_members (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  read_seq        INTEGER NOT NULL DEFAULT 0,
  joined_at       INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
-- "my conversations"
CREATE INDEX conversation_members_user_idx ON conversation_members (user_id);

CREATE TABLE messages (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  sender_id       TEXT NOT NULL,
  client_msg_id   TEXT NOT NULL,
  kind            TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  recalled_at     INTEGER,
  recalled_by     TEXT
);
-- history paging and sync by sequence
CREATE UNIQUE INDEX messages_conversation_seq_uq ON messages (conversation_id, seq);
-- idempotent retries
CREATE UNIQUE INDEX messages_sender_client_uq ON messages (sender_id, client_msg_id);

CREATE TABLE files (
  id          TEXT PRIMARY KEY,
  uploader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  mime        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);

-- Which conversations a file was sent in: the download check.
CREATE TABLE file_shares (
  file_id         TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  PRIMARY KEY (file_id, conversation_id)
) WITHOUT ROWID;
