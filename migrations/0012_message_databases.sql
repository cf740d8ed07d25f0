-- Messages move out of the main database: each conversation's messages, sequence counter
-- and read positions live on one of the message databases (migrations/messages/, the
-- MESSAGE_DATABASES var in wrangler.toml), chosen when the conversation is created and
-- recorded here, in conversations.message_db: the directory. It never changes, so message
-- databases can be added without moving a conversation (worker/db/message-databases.ts).
--
-- Existing data: D1 cannot copy rows between databases in a migration, and the project is
-- pre-release, so stored messages and read positions are dropped. Accounts, friendships,
-- groups, conversations and memberships stay; every existing conversation is placed on
-- message database 0 and continues with an empty history from seq 1. For a clean local
-- state instead, `npm run reset`.

DROP INDEX messages_unpushed;
DROP INDEX messages_created;
DROP TABLE messages;

-- The index of the conversation's message database in MESSAGE_DATABASES.
ALTER TABLE conversations ADD COLUMN message_db INTEGER NOT NULL DEFAULT 0;
-- Now kept by the message database (conversation_state, read_positions).
ALTER TABLE conversations DROP COLUMN last_seq;
ALTER TABLE conversations DROP COLUMN updated_at;
ALTER TABLE conversation_members DROP COLUMN read_seq;
