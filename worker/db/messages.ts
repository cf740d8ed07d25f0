import type { Message } from "../../protocol/index.js";
import { MESSAGE_COLUMNS, rowToMessage, type MessageRow } from "../messaging/append-message.js";

// Reads and writes of one message database (migrations/messages/), in plain D1 SQL like
// appendMessage (same row shape). Every function takes the conversation's message database,
// found through the directory (conversation-directory.ts). Message queries walk the unique
// index (conversation_id, seq).

/**
 * What counts as unread for a user: messages after their read position that someone else
 * sent, excluding system messages (joins, renames, recall notices) and recalled messages.
 * `?2` is the user id. read_positions.unread keeps this count (append, read, recall).
 */
export const UNREAD_FILTER = "sender_id != ?2 AND kind != 'system' AND recalled_at IS NULL";

export async function findMessage(d1: D1Database, messageId: string): Promise<Message | undefined> {
  const row = await d1.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?1`).bind(messageId).first<MessageRow>();
  return row ? rowToMessage(row) : undefined;
}

export interface ReadState {
  lastSeq: number;
  readSeq: number;
  unread: number;
}

/**
 * The conversation's last seq and the user's read position. No state row: no message yet.
 * No read position: the user has read everything (they joined after the last message).
 */
export async function readState(d1: D1Database, conversationId: string, userId: string): Promise<ReadState> {
  const row = await d1
    .prepare(
      `SELECT s.last_seq, COALESCE(r.read_seq, s.last_seq) AS read_seq, COALESCE(r.unread, 0) AS unread
       FROM conversation_state s LEFT JOIN read_positions r ON r.conversation_id = s.conversation_id AND r.user_id = ?2
       WHERE s.conversation_id = ?1`,
    )
    .bind(conversationId, userId)
    .first<{ last_seq: number; read_seq: number; unread: number }>();
  return row ? { lastSeq: row.last_seq, readSeq: row.read_seq, unread: row.unread } : { lastSeq: 0, readSeq: 0, unread: 0 };
}

/**
 * Moves the user's read position forward to `seq` (never back, never past the last message)
 * and recounts what is unread after it, in one batch. Returns the position before and after.
 */
export async function advanceReadPosition(
  d1: D1Database,
  conversationId: string,
  userId: string,
  seq: number,
): Promise<{ before: number; after: ReadState }> {
  const lastSeq = "(SELECT last_seq FROM conversation_state WHERE conversation_id = ?1)";
  const [before, after] = await d1.batch([
    d1
      .prepare(
        `SELECT COALESCE(r.read_seq, s.last_seq) AS read_seq FROM conversation_state s
         LEFT JOIN read_positions r ON r.conversation_id = s.conversation_id AND r.user_id = ?2 WHERE s.conversation_id = ?1`,
      )
      .bind(conversationId, userId),
    // MAX() keeps a concurrent, further read from being moved back. A member without a row
    // has read everything: the row written here says so too (read_seq = last_seq).
    d1
      .prepare(
        `INSERT INTO read_positions (conversation_id, user_id, read_seq, unread)
         SELECT ?1, ?2, last_seq, 0 FROM conversation_state WHERE conversation_id = ?1
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET
           read_seq = MAX(read_seq, MIN(?3, ${lastSeq})),
           unread = (SELECT COUNT(*) FROM messages WHERE conversation_id = ?1
                     AND seq > MAX(read_positions.read_seq, MIN(?3, ${lastSeq})) AND ${UNREAD_FILTER})
         RETURNING read_seq, unread, ${lastSeq} AS last_seq`,
      )
      .bind(conversationId, userId, seq),
  ]);
  const was = (before?.results[0] as { read_seq: number } | undefined)?.read_seq ?? 0;
  const now = after?.results[0] as { read_seq: number; unread: number; last_seq: number } | undefined;
  return { before: was, after: now ? { lastSeq: now.last_seq, readSeq: now.read_seq, unread: now.unread } : { lastSeq: 0, readSeq: 0, unread: 0 } };
}

export interface PageRequest {
  afterSeq?: number | undefined;
  beforeSeq?: number | undefined;
  limit: number;
}

/**
 * One page of history, always in ascending seq order, with the conversation's last seq (one
 * batch). With afterSeq the page starts just after it (sync forward); otherwise it ends just
 * before beforeSeq, or at the newest message (history backward). hasMore: more messages
 * exist in the direction asked.
 */
export async function messagePage(
  d1: D1Database,
  conversationId: string,
  page: PageRequest,
): Promise<{ messages: Message[]; hasMore: boolean; lastSeq: number }> {
  const forward = page.afterSeq !== undefined;
  const lower = page.afterSeq ?? 0;
  const upper = page.beforeSeq ?? Number.MAX_SAFE_INTEGER;
  // One row past the limit tells whether there is more.
  const [rows, state] = await d1.batch([
    d1
      .prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE conversation_id = ?1 AND seq > ?2 AND seq < ?3
         ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?4`,
      )
      .bind(conversationId, lower, upper, page.limit + 1),
    d1.prepare("SELECT last_seq FROM conversation_state WHERE conversation_id = ?1").bind(conversationId),
  ]);
  const results = (rows?.results ?? []) as MessageRow[];
  const hasMore = results.length > page.limit;
  const kept = results.slice(0, page.limit);
  if (!forward) kept.reverse();
  const lastSeq = (state?.results[0] as { last_seq: number } | undefined)?.last_seq ?? 0;
  return { messages: kept.map(rowToMessage), hasMore, lastSeq };
}

/**
 * Clears a message's body and marks it recalled, and takes it out of the unread counts of
 * the members who had not read it yet (one batch). Undefined when it was already recalled
 * (a concurrent recall won): the caller re-reads it.
 */
export async function markRecalled(d1: D1Database, messageId: string, by: string, now: number): Promise<Message | undefined> {
  const [, recalled] = await d1.batch([
    // Runs first, while the message still counts: the same rows UNREAD_FILTER counted.
    d1
      .prepare(
        `UPDATE read_positions SET unread = unread - 1
         WHERE unread > 0 AND EXISTS (
           SELECT 1 FROM messages m WHERE m.id = ?1 AND m.recalled_at IS NULL AND m.kind != 'system'
             AND m.conversation_id = read_positions.conversation_id
             AND m.seq > read_positions.read_seq AND m.sender_id != read_positions.user_id)`,
      )
      .bind(messageId),
    d1
      .prepare(
        `UPDATE messages SET body = '{}', recalled_at = ?2, recalled_by = ?3
         WHERE id = ?1 AND recalled_at IS NULL RETURNING ${MESSAGE_COLUMNS}`,
      )
      .bind(messageId, now, by),
  ]);
  const row = recalled?.results[0] as MessageRow | undefined;
  return row ? rowToMessage(row) : undefined;
}

/** True when a message of the conversation that is not recalled carries this file. */
export async function carriesFile(d1: D1Database, conversationId: string, fileId: string): Promise<boolean> {
  const row = await d1
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1 AND recalled_at IS NULL
         AND json_extract(body, '$.fileId') = ?2) AS carried`,
    )
    .bind(conversationId, fileId)
    .first<{ carried: number }>();
  return row?.carried === 1;
}

/** Deletes a conversation's messages and read positions (its state row cascades to them). */
export async function deleteConversationMessages(d1: D1Database, conversationId: string): Promise<void> {
  await d1.prepare("DELETE FROM conversation_state WHERE conversation_id = ?1").bind(conversationId).run();
}

/** Forgets the read positions of users who left: if they come back, they start with everything read. */
export async function dropReadPositions(d1: D1Database, conversationId: string, userIds: string[]): Promise<void> {
  await d1
    .prepare("DELETE FROM read_positions WHERE conversation_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))")
    .bind(conversationId, JSON.stringify(userIds))
    .run();
}

/**
 * Records that message.new for this message was taken by every gateway (pushed_at, see
 * migrations/messages/0001_messages.sql). `at` = 0 records that the sweep gave up.
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
