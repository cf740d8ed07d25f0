-- Who may write in a 1:1 conversation, kept next to its messages so that a 1:1 send is ONE
-- round trip to this database (worker/messaging/send-message.ts): the append batch checks
-- this row instead of asking the main database for the friendship first. The main
-- database stays the authority (friendships); this is its copy per conversation.
--
-- friends: 1 while the two are friends, 0 once the friendship ended (unfriend, block).
-- since: created_at of the friendship the row speaks of, its version: a write for an older
-- friendship never overwrites a newer one, and an end wins over a start of the same one,
-- so writes that arrive late or out of order cannot reopen an ended friendship
-- (worker/db/direct-send-rights.ts). A conversation without a row (created before this
-- table) is checked in the main database, and that send writes the row.
CREATE TABLE direct_send_rights (
  conversation_id TEXT PRIMARY KEY,
  friends         INTEGER NOT NULL,
  since           INTEGER NOT NULL
) WITHOUT ROWID;
