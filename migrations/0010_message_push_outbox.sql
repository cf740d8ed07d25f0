-- Every stored message is pushed at least once (docs/PROTOCOL.md, Part B 9.1).
-- pushed_at: when message.new for the message was taken by every gateway (each recipient's
-- Durable Object, and a bridge node if one is configured). NULL = not yet: the push is in
-- flight, failed, or the isolate died between the store and the push. A send retried with
-- the same clientMsgId pushes such a message again, and the per-minute sweep re-pushes
-- those older than its grace time. 0 = the sweep gave up (clients recover it by sync).
ALTER TABLE messages ADD COLUMN pushed_at INTEGER;

-- Messages stored before this migration were pushed (or not) long ago: never re-push them.
UPDATE messages SET pushed_at = created_at;

-- The sweep's look-up: only the few unpushed rows are in this index.
CREATE INDEX messages_unpushed ON messages (created_at) WHERE pushed_at IS NULL;
