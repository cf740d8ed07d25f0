import type { Message, MessageKind } from "../../protocol/index.js";
import { notFound } from "../http/api-error.js";

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

const SELECT_BY_CLIENT_ID = `SELECT ${MESSAGE_COLUMNS}, pushed_at FROM messages WHERE sender_id = ?1 AND client_msg_id = ?2`;

/** The answer of appendMessage; `pushed`: message.new was recorded as taken by every gateway (message-push.ts). */
export interface AppendResult {
  message: Message;
  created: boolean;
  pushed: boolean;
}

const stored = (row: MessageRow & { pushed_at: number | null }): AppendResult => ({
  message: rowToMessage(row),
  created: false,
  pushed: row.pushed_at !== null,
});

/**
 * Stores a message with the conversation's next sequence number. The sequence is
 * assigned in one place (conversations.last_seq) inside one D1 batch, which D1 runs
 * as a single serialized transaction: concurrent sends get consecutive numbers and a
 * failed insert rolls the increment back, so there are no gaps.
 *
 * Idempotent by (senderId, clientMsgId): a retry returns the stored message with
 * `created: false`, never a second copy, and whether its push is recorded (`pushed`).
 * A new row has pushed_at NULL: the row itself is the record that a push is owed
 * (message-push.ts). The conversation must exist.
 */
export async function appendMessage(d1: D1Database, input: NewMessage): Promise<AppendResult> {
  const existing = await d1.prepare(SELECT_BY_CLIENT_ID).bind(input.senderId, input.clientMsgId).first<MessageRow & { pushed_at: number | null }>();
  if (existing) return stored(existing);

  const id = crypto.randomUUID();
  const now = Date.now();
  const body = JSON.stringify(input.body);
  try {
    const [, inserted] = await d1.batch([
      d1.prepare("UPDATE conversations SET last_seq = last_seq + 1, updated_at = ?1 WHERE id = ?2").bind(now, input.conversationId),
      d1
        .prepare(
          `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
           SELECT ?1, id, last_seq, ?2, ?3, ?4, ?5, ?6 FROM conversations WHERE id = ?7
           RETURNING ${MESSAGE_COLUMNS}`,
        )
        .bind(id, input.senderId, input.clientMsgId, input.kind, body, now, input.conversationId),
    ]);
    const row = inserted?.results[0] as MessageRow | undefined;
    // The conversation went away between the caller's check and here (a group dismissed
    // mid-send): the client's answer is "no such conversation", not a server error.
    if (!row) throw notFound("conversation");
    return { message: rowToMessage(row), created: true, pushed: false };
  } catch (error) {
    // A concurrent retry with the same client id won the race: answer with its message.
    const winner = await d1.prepare(SELECT_BY_CLIENT_ID).bind(input.senderId, input.clientMsgId).first<MessageRow & { pushed_at: number | null }>();
    if (winner) return stored(winner);
    throw error;
  }
}
