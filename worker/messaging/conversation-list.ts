import { inArray } from "drizzle-orm";
import type { ConversationSummary } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { UNREAD_FILTER } from "../db/messages.js";
import { friendIdsAmong } from "../db/friends.js";
import { onlineUserIds, withOnline } from "../db/presence.js";
import { groups } from "../db/schema.js";
import { findUsersByIds, toPublicUser } from "../db/users.js";
import { rowToMessage, type MessageRow } from "./append-message.js";
import { directPeerId } from "./conversation-access.js";

interface SummaryRow {
  id: string;
  kind: "direct" | "group";
  group_id: string | null;
  last_seq: number;
  updated_at: number;
  read_seq: number;
  peer_read_seq: number | null;
  unread: number;
  lm_id: string | null;
  lm_sender_id: string;
  lm_client_msg_id: string;
  lm_kind: string;
  lm_body: string;
  lm_created_at: number;
  lm_recalled_at: number | null;
}

// One query for all of them: membership, read position, the 1:1 peer's read position (the
// receipt), exact unread count (UNREAD_FILTER, a range scan on (conversation_id, seq) per
// conversation) and the last message.
const SUMMARIES = `
  SELECT c.id, c.kind, c.group_id, c.last_seq, c.updated_at, m.read_seq,
    (SELECT COUNT(*) FROM messages WHERE conversation_id = c.id AND seq > m.read_seq AND ${UNREAD_FILTER}) AS unread,
    CASE WHEN c.kind = 'direct' THEN
      (SELECT p.read_seq FROM conversation_members p WHERE p.conversation_id = c.id AND p.user_id <> ?2) END AS peer_read_seq,
    lm.id AS lm_id, lm.sender_id AS lm_sender_id, lm.client_msg_id AS lm_client_msg_id, lm.kind AS lm_kind,
    lm.body AS lm_body, lm.created_at AS lm_created_at, lm.recalled_at AS lm_recalled_at
  FROM conversation_members m
  JOIN conversations c ON c.id = m.conversation_id
  LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
  WHERE m.user_id = ?2 AND (?1 IS NULL OR c.id = ?1)
  ORDER BY c.updated_at DESC, c.id`;

/** My conversations, most recently active first; or just one of them when `onlyId` is given. */
export async function listConversations(d1: D1Database, userId: string, onlyId: string | null = null): Promise<ConversationSummary[]> {
  const { results } = await d1.prepare(SUMMARIES).bind(onlyId, userId).all<SummaryRow>();
  const db = database(d1);
  const peerIds = results.filter((r) => r.kind === "direct").map((r) => directPeerId(r.id, userId));
  const groupIds = results.flatMap((r) => (r.group_id ? [r.group_id] : []));
  const [peers, friends, groupRows] = await Promise.all([
    findUsersByIds(db, peerIds),
    friendIdsAmong(db, userId, peerIds),
    groupsByIds(d1, groupIds),
  ]);
  // Presence is for friends: a 1:1 peer who is no longer one (or blocked) shows no `online`.
  const online = await onlineUserIds(db, [...friends]);
  return results.map((row) => {
    const peer = row.kind === "direct" ? peers.get(directPeerId(row.id, userId)) : undefined;
    const group = row.group_id ? groupRows.get(row.group_id) : undefined;
    return {
      id: row.id,
      kind: row.kind,
      peer: peer ? (friends.has(peer.id) ? withOnline(toPublicUser(peer), online) : toPublicUser(peer)) : null,
      group: group ?? null,
      lastSeq: row.last_seq,
      readSeq: row.read_seq,
      peerReadSeq: row.kind === "direct" ? (row.peer_read_seq ?? 0) : null,
      unread: row.unread,
      lastMessage: row.lm_id === null ? null : rowToMessage(lastMessageRow(row, row.lm_id)),
      updatedAt: row.updated_at,
    };
  });
}

function lastMessageRow(row: SummaryRow, id: string): MessageRow {
  return {
    id,
    conversation_id: row.id,
    seq: row.last_seq,
    sender_id: row.lm_sender_id,
    client_msg_id: row.lm_client_msg_id,
    kind: row.lm_kind,
    body: row.lm_body,
    created_at: row.lm_created_at,
    recalled_at: row.lm_recalled_at,
  };
}

async function groupsByIds(d1: D1Database, ids: string[]): Promise<Map<string, { id: string; name: string; avatar: string | null }>> {
  const db = database(d1);
  const found = new Map<string, { id: string; name: string; avatar: string | null }>();
  // D1 caps bound parameters per statement at 100.
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ id: groups.id, name: groups.name, avatar: groups.avatar })
      .from(groups)
      .where(inArray(groups.id, ids.slice(i, i + 90)));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}
