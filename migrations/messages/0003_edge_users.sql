-- Who has a device on the edge, copied onto every message database so that a send's append
-- batch reads it in the same transaction as its insert (worker/messaging/append-message.ts):
-- the push then knows which Durable Objects to call without a query on the main database.
-- The main database's presence rows (gateway 'edge') stay the record that friends and the
-- back office read; a user's object writes this copy on every message database before a
-- socket gets its `ready`, and deletes it when the last socket closes
-- (worker/db/edge-user-copies.ts).
CREATE TABLE edge_users (
  user_id TEXT PRIMARY KEY,
  since   INTEGER NOT NULL
) WITHOUT ROWID;
