import type { Message } from "../../protocol/index.js";
import { MESSAGE_COLUMNS, rowToMessage, type MessageRow } from "../messaging/append-message.js";

// Message reads and the recall write, in plain D1 SQL like appendMessage (same row shape).
// Every query here walks the unique index (conversation_id, seq).

/**
 * What counts as unread for a user: messages after their read position that someone else
 * sent, excluding system messages (joins, renames, recall notices) and recalled messages.
 * `?2` is the user id. Used by the conversation list and by the read answer, so both agree.
 */
export const UNREAD_FILTER = "sender_id != ?2 AND kind != 'system' AND recalled_at IS NULL";

export async function findMessage(d1: D1Database, messageId: string): Promise<Message | undefined> {
  const row = await d1.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?1`).bind(messageId).first<MessageRow>();
  return row ? rowToMessage(row) : undefined;
}

export async function countUnread(d1: D1Database, conversationId: string, userId: string, readSeq: number): Promise<number> {
  const row = await d1
    .prepare(`SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?1 AND seq > ?3 AND ${UNREAD_FILTER}`)
    .bind(conversationId, userId, readSeq)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export interface PageRequest {
  afterSeq?: number | undefined;
  beforeSeq?: number | undefined;
  limit: number;
}

/**
 * One page of history, always in ascending seq order. With afterSeq the page starts just
 * after it (sync forward); otherwise it ends just before beforeSeq, or at the newest
 * message (history backward). hasMore: more messages exist in the direction asked.
 */
export async function messagePage(d1: D1Database, conversationId: string, page: PageRequest): Promise<{ messages: Message[]; hasMore: boolean }> {
  const forward = page.afterSeq !== undefined;
  const lower = page.afterSeq ?? 0;
  const upper = page.beforeSeq ?? Number.MAX_SAFE_INTEGER;
  // One row past the limit tells whether there is more.
  const { results } = await d1
    .prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE conversation_id = ?1 AND seq > ?2 AND seq < ?3
       ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?4`,
    )
    .bind(conversationId, lower, upper, page.limit + 1)
    .all<MessageRow>();
  const hasMore = results.length > page.limit;
  const rows = results.slice(0, page.limit);
  if (!forward) rows.reverse();
  return { messages: rows.map(rowToMessage), hasMore };
}

/**
 * Clears a message's body and marks it recalled. Undefined when it was already recalled
 * (a concurrent recall won): the caller re-reads it.
 */
export async function markRecalled(d1: D1Database, messageId: string, by: string, now: number): Promise<Message | undefined> {
  const row = await d1
    .prepare(
      `UPDATE messages SET body = '{}', recalled_at = ?2, recalled_by = ?3
       WHERE id = ?1 AND recalled_at IS NULL RETURNING ${MESSAGE_COLUMNS}`,
    )
    .bind(messageId, now, by)
    .first<MessageRow>();
  return row ? rowToMessage(row) : undefined;
}

/**
 * Records that message.new for this message was taken by every gateway (pushed_at, see
 * migrations/0010_message_push_outbox.sql). `at` = 0 records that the sweep gave up.
 */
export async function markPushed(d1: D1Database, messageId: string, at: number): Promise<void> {
  await d1.prepare("UPDATE messages SET pushed_at = ?2 WHERE id = ?1 AND pushed_at IS NULL").bind(messageId, at).run();
}

/** The oldest messages whose push is not recorded, stored at or before `storedBefore` (the partial index messages_unpushed). */
export async function unpushedMessages(d1: D1Database, storedBefore: number, limit: number): Promise<Message[]> {
  const { results } = await d1
    .prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pushed_at IS NULL AND created_at <= ?1 ORDER BY created_at LIMIT ?2`)
    .bind(storedBefore, limit)
    .all<MessageRow>();
  return results.map(rowToMessage);
}
