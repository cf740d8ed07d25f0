import type { Message, MessageKind } from "../../protocol/index.js";
import { DIRECT_SEND_ALLOWED, friendshipStartedWrite } from "../db/direct-send-rights.js";
import { edgeUsersAmongSql } from "../db/edge-user-copies.js";
import { pushRecordWrite } from "./push-records.js";

export interface NewMessage {
  conversationId: string;
  senderId: string;
  clientMsgId: string;
  kind: MessageKind;
  body: object;
}

/** A messages row as D1 returns it (snake_case columns). */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  kind: string;
  body: string;
  created_at: number;
  recalled_at: number | null;
}

export function rowToMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    kind: row.kind as MessageKind,
    body: JSON.parse(row.body),
    createdAt: row.created_at,
    recalledAt: row.recalled_at,
  };
}

/** The columns rowToMessage reads, for every query that returns messages. */
export const MESSAGE_COLUMNS = "id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at, recalled_at";

/** The answer of appendMessage; `pushed`: message.new was recorded as taken by every gateway (message-push.ts). */
export interface AppendResult {
  message: Message;
  created: boolean;
  pushed: boolean;
  /**
   * The members with an edge device, read after the insert in the same transaction (the
   * message database's copy of edge presence, worker/db/edge-user-copies.ts): the push calls
   * their Durable Objects and no others, and asks the main database nothing.
   */
  edgeUserIds: string[];
}

/** The members (?4, a JSON array) with an edge device, as a JSON array: a column of the stored row's read. */
const EDGE_USERS_AMONG_MEMBERS = edgeUsersAmongSql("?4");

/** "This (sender, clientMsgId) is not stored yet": every write of the batch is conditional on it. */
const NOT_STORED = "NOT EXISTS (SELECT 1 FROM messages WHERE sender_id = ?2 AND client_msg_id = ?3)";

/**
 * What a 1:1 append does with the conversation's copy of the friendship (direct_send_rights,
 * worker/db/direct-send-rights.ts):
 *  - "check": the copy is the permission check: nothing is written, and nothing returned,
 *    unless it says friends (the one-round-trip send);
 *  - { since }: the main database said friends (friendship created_at = since): the batch
 *    also writes the copy, so the conversation's next send can take the one-round-trip path.
 */
export type DirectRight = "check" | { since: number };

/**
 * Stores a message with the conversation's next sequence number, in ONE round trip to the
 * conversation's message database: a D1 batch, which D1 runs as a single serialized
 * transaction. Its statements, in order:
 *  0. the push records that wait on this database (push-records.ts: other messages'
 *     pushed_at, carried here instead of in writes of their own); with `direct` =
 *     { since }, the copy of the friendship;
 *  1. the conversation's state row: created with last_seq 1 by its first message, else
 *     last_seq + 1 (one upsert);
 *  2. a read position for each member who has none yet (they joined after the last
 *     message, so they have read up to it: read_seq = last_seq before this one);
 *  3. the insert with the new last_seq;
 *  4. +1 unread for the other members (not for system messages, which never count);
 *  5. the stored row, new or not, and beside it which members have an edge device (the
 *     copy of edge presence, worker/db/edge-user-copies.ts), for the push.
 * Concurrent sends get consecutive numbers, and there are no gaps.
 *
 * Idempotent by (senderId, clientMsgId): 1-4 do nothing when that message is already stored,
 * and 5 returns it (`created: false`) with whether its push is recorded (`pushed`). A new
 * row has pushed_at NULL: the row itself is the record that a push is owed (message-push.ts).
 * `memberIds`: the conversation's members now (the main database is the authority on them).
 * With `direct` = "check", 1-5 are also conditional on the copy saying friends: undefined
 * means the copy did not (missing, or the friendship ended) and nothing was stored.
 */
export async function appendMessage(d1: D1Database, input: NewMessage, memberIds: string[], direct: "check", records?: readonly string[]): Promise<AppendResult | undefined>;
export async function appendMessage(d1: D1Database, input: NewMessage, memberIds: string[], direct?: { since: number }, records?: readonly string[]): Promise<AppendResult>;
export async function appendMessage(
  d1: D1Database,
  input: NewMessage,
  memberIds: string[],
  direct?: DirectRight,
  records: readonly string[] = [],
): Promise<AppendResult | undefined> {
  const id = crypto.randomUUID();
  const now = Date.now();
  const body = JSON.stringify(input.body);
  const members = JSON.stringify(memberIds);
  const checked = direct === "check";
  const writable = checked ? `${DIRECT_SEND_ALLOWED} AND ${NOT_STORED}` : NOT_STORED;
  // ?1 conversation, ?2 sender, ?3 client id: the same numbering in every statement.
  const bind = (sql: string, ...more: unknown[]) => d1.prepare(sql).bind(input.conversationId, input.senderId, input.clientMsgId, ...more);
  const statements = [
    ...(records.length > 0 ? [pushRecordWrite(d1, records, now)] : []),
    ...(direct !== undefined && !checked ? [friendshipStartedWrite(d1, input.conversationId, direct.since)] : []),
    bind(
      `INSERT INTO conversation_state (conversation_id, last_seq, updated_at) SELECT ?1, 1, ?4 WHERE ${writable}
       ON CONFLICT (conversation_id) DO UPDATE SET last_seq = last_seq + 1, updated_at = excluded.updated_at`,
      now,
    ),
    bind(
      `INSERT INTO read_positions (conversation_id, user_id, read_seq, unread)
       SELECT ?1, m.value, s.last_seq - 1, 0 FROM json_each(?4) m JOIN conversation_state s ON s.conversation_id = ?1
       WHERE ${writable} ON CONFLICT DO NOTHING`,
      members,
    ),
    bind(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
       SELECT ?4, ?1, last_seq, ?2, ?3, ?5, ?6, ?7 FROM conversation_state WHERE conversation_id = ?1 AND ${writable}`,
      id,
      input.kind,
      body,
      now,
    ),
    ...(input.kind === "system"
      ? []
      : [
          bind(
            `UPDATE read_positions SET unread = unread + 1
             WHERE conversation_id = ?1 AND user_id != ?2 AND user_id IN (SELECT value FROM json_each(?4))
               AND EXISTS (SELECT 1 FROM messages WHERE id = ?5)`,
            members,
            id,
          ),
        ]),
    bind(
      `SELECT ${MESSAGE_COLUMNS}, pushed_at, (${EDGE_USERS_AMONG_MEMBERS}) AS edge
       FROM messages WHERE sender_id = ?2 AND client_msg_id = ?3${checked ? ` AND ${DIRECT_SEND_ALLOWED}` : ""}`,
      members,
    ),
  ];
  const results = await d1.batch(statements);
  const row = results.at(-1)?.results[0] as (MessageRow & { pushed_at: number | null; edge: string }) | undefined;
  if (!row && checked) return undefined;
  if (!row) throw new Error(`the append of ${input.clientMsgId} to ${input.conversationId} stored nothing`);
  return { message: rowToMessage(row), created: row.id === id, pushed: row.pushed_at !== null, edgeUserIds: JSON.parse(row.edge) as string[] };
}
