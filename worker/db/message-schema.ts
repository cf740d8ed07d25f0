// The tables of a message database (migrations/messages/), apart from the main database's
// schema.ts: they live in another D1 database (worker/db/message-databases.ts).
import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";

/** A conversation's sequence counter and last activity, written by its first append. */
export const conversationState = sqliteTable("conversation_state", {
  conversationId: text("conversation_id").primaryKey(),
  lastSeq: integer("last_seq").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** How far a member has read, and how many messages after that count as unread for them. */
export const readPositions = sqliteTable(
  "read_positions",
  {
    conversationId: text("conversation_id").notNull(),
    userId: text("user_id").notNull(),
    readSeq: integer("read_seq").notNull(),
    unread: integer("unread").notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] })],
);

export const messages = sqliteTable("messages", {
  id: text("id").primaryKey(),
  conversationId: text("conversation_id").notNull(),
  seq: integer("seq").notNull(),
  senderId: text("sender_id").notNull(),
  clientMsgId: text("client_msg_id").notNull(),
  kind: text("kind").notNull(),
  body: text("body").notNull(),
  createdAt: integer("created_at").notNull(),
  recalledAt: integer("recalled_at"),
  recalledBy: text("recalled_by"),
  /** When message.new was taken by every gateway; null = not yet, 0 = given up (worker/messaging/message-push.ts). */
  pushedAt: integer("pushed_at"),
});
