-- A message database: the messages and read positions of the conversations that the
-- directory in the main database (conversations.message_db) places here. The main database
-- keeps accounts, friends, groups, conversations and who is a member of them; nothing here
-- refers to it (D1 cannot enforce a foreign key across databases), so user and conversation
-- ids are plain text. Times are Unix epoch milliseconds. worker/db/message-databases.ts.

-- One row per conversation that has a message here, written by the first append
-- (worker/messaging/append-message.ts). last_seq is the one place sequence numbers are
-- assigned; updated_at (the last message's time) orders the conversation list.
CREATE TABLE conversation_state (
  conversation_id TEXT PRIMARY KEY,
  last_seq        INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER NOT NULL
);

-- How far each member has read, and how many messages after that count as unread for them
-- (sent by someone else, not a system message, not recalled): kept by the append, the read
-- and the recall, so the conversation list reads it instead of counting. A member without a
-- row has read everything: rows are written by the first append after they joined.
CREATE TABLE read_positions (
  conversation_id TEXT NOT NULL REFERENCES conversation_state (conversation_id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL,
  read_seq        INTEGER NOT NULL DEFAULT 0,
  unread          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;

-- pushed_at: when message.new was taken by every gateway; NULL = not yet, 0 = the sweep gave
-- up (docs/PROTOCOL.md, Part B 9.1; worker/messaging/message-push.ts).
CREATE TABLE messages (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversation_state (conversation_id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  sender_id       TEXT NOT NULL,
  client_msg_id   TEXT NOT NULL,
  kind            TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  recalled_at     INTEGER,
  recalled_by     TEXT,
  pushed_at       INTEGER
);
-- history paging and sync by sequence
CREATE UNIQUE INDEX messages_conversation_seq_uq ON messages (conversation_id, seq);
-- idempotent retries
CREATE UNIQUE INDEX messages_sender_client_uq ON messages (sender_id, client_msg_id);
-- the push sweep: only the few unpushed rows are in this index
CREATE INDEX messages_unpushed ON messages (created_at) WHERE pushed_at IS NULL;
-- GET /api/admin/stats: messages per day, a range on created_at
CREATE INDEX messages_created ON messages (created_at);
