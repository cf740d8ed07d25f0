import { inArray } from "drizzle-orm";
import type { ConversationSummary } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { rememberMessageDb } from "../db/conversation-directory.js";
import { friendIdsAmong } from "../db/friends.js";
import { messageDatabase } from "../db/message-databases.js";
import { onlineUserIds, withOnline } from "../db/presence.js";
import { groups } from "../db/schema.js";
import { findUsersByIds, toPublicUser } from "../db/users.js";
import type { Env } from "../env.js";
import { rowToMessage, type MessageRow } from "./append-message.js";
import { directPeerId } from "./conversation-access.js";
import { decodeCursor, encodeCursor, type ListPosition } from "./list-cursor.js";

/** My memberships, from the main database: the authority on who is in which conversation. */
interface MembershipRow {
  id: string;
  kind: "direct" | "group";
  group_id: string | null;
  message_db: number;
  created_at: number;
}

const MEMBERSHIPS = `
  SELECT c.id, c.kind, c.group_id, c.message_db, c.created_at FROM conversation_members m
  JOIN conversations c ON c.id = m.conversation_id
  WHERE m.user_id = ?1 AND (?2 IS NULL OR c.id = ?2)`;

/** One conversation's place in the list and its state, from its message database. */
interface StateRow {
  id: string;
  active_at: number;
  last_seq: number;
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

// One query per message database for one page of my conversations there: ?1 is my
// conversations on it as JSON [id, created_at, is_direct], ?2 me, ?3/?4 the cursor (or
// NULL), ?5 the page size + 1. Unread is the stored counter (read_positions.unread), not a
// count; a conversation without messages sorts by its creation time. Without a read
// position I have read everything (see migrations/messages/0001_messages.sql), so has the peer.
const PAGE = `
  WITH mine AS (
    SELECT value ->> '$[0]' AS id, value ->> '$[1]' AS created_at, value ->> '$[2]' AS direct FROM json_each(?1)
  ), ranked AS (
    SELECT mine.id, mine.direct, COALESCE(s.updated_at, mine.created_at) AS active_at, COALESCE(s.last_seq, 0) AS last_seq
    FROM mine LEFT JOIN conversation_state s ON s.conversation_id = mine.id
  )
  SELECT ranked.id, ranked.active_at, ranked.last_seq,
    COALESCE(r.read_seq, ranked.last_seq) AS read_seq, COALESCE(r.unread, 0) AS unread,
    CASE WHEN ranked.direct THEN COALESCE(
      (SELECT p.read_seq FROM read_positions p WHERE p.conversation_id = ranked.id AND p.user_id <> ?2), ranked.last_seq) END AS peer_read_seq,
    lm.id AS lm_id, lm.sender_id AS lm_sender_id, lm.client_msg_id AS lm_client_msg_id, lm.kind AS lm_kind,
    lm.body AS lm_body, lm.created_at AS lm_created_at, lm.recalled_at AS lm_recalled_at
  FROM ranked
  LEFT JOIN read_positions r ON r.conversation_id = ranked.id AND r.user_id = ?2
  LEFT JOIN messages lm ON lm.conversation_id = ranked.id AND lm.seq = ranked.last_seq
  WHERE ?3 IS NULL OR ranked.active_at < ?3 OR (ranked.active_at = ?3 AND ranked.id > ?4)
  ORDER BY ranked.active_at DESC, ranked.id
  LIMIT ?5`;

export interface ConversationPage {
  conversations: ConversationSummary[];
  nextCursor: string | null;
}

/**
 * A page of my conversations, most recently active first (then by id); or just one of them
 * when `onlyId` is given. My memberships come from the main database (one indexed read of
 * ids); each message database that holds some of them answers one page of its own (at
 * once), and the pages are merged: a page costs one query per database, not one per conversation.
 */
export async function listConversations(
  env: Env,
  userId: string,
  page: { cursor?: string | undefined; limit: number },
  onlyId: string | null = null,
): Promise<ConversationPage> {
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor);
  const { results: memberships } = await env.DB.prepare(MEMBERSHIPS).bind(userId, onlyId).all<MembershipRow>();
  const byId = new Map(memberships.map((row) => [row.id, row]));
  const byDatabase = new Map<number, MembershipRow[]>();
  for (const row of memberships) {
    rememberMessageDb(row.id, row.message_db);
    byDatabase.set(row.message_db, [...(byDatabase.get(row.message_db) ?? []), row]);
  }
  const pages = await Promise.all(
    [...byDatabase].map(([index, rows]) => statePage(messageDatabase(env, index), userId, rows, after, page.limit)),
  );
  // Each database gave up to limit + 1 rows in list order: their merge, cut at limit, is the page.
  const merged = pages.flat().sort((a, b) => b.active_at - a.active_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = merged.slice(0, page.limit);
  const last = rows.at(-1);
  const nextCursor = merged.length > page.limit && last ? encodeCursor({ activeAt: last.active_at, id: last.id }) : null;
  return { conversations: await summaries(env, userId, rows, byId), nextCursor };
}

async function statePage(d1: D1Database, userId: string, rows: MembershipRow[], after: ListPosition | null, limit: number): Promise<StateRow[]> {
  const mine = JSON.stringify(rows.map((row) => [row.id, row.created_at, row.kind === "direct" ? 1 : 0]));
  const { results } = await d1
    .prepare(PAGE)
    .bind(mine, userId, after?.activeAt ?? null, after?.id ?? null, limit + 1)
    .all<StateRow>();
  return results;
}

/** The page's rows with their peer (and whether they are online) or group, from the main database. */
async function summaries(env: Env, userId: string, rows: StateRow[], byId: Map<string, MembershipRow>): Promise<ConversationSummary[]> {
  const db = database(env.DB);
  const kinds = rows.map((row) => byId.get(row.id)!);
  const peerIds = kinds.filter((m) => m.kind === "direct").map((m) => directPeerId(m.id, userId));
  const groupIds = kinds.flatMap((m) => (m.group_id ? [m.group_id] : []));
  const [peers, friends, groupRows] = await Promise.all([
    findUsersByIds(db, peerIds),
    friendIdsAmong(db, userId, peerIds),
    groupsByIds(env.DB, groupIds),
  ]);
  // Presence is for friends: a 1:1 peer who is no longer one (or blocked) shows no `online`.
  const online = await onlineUserIds(db, [...friends]);
  return rows.map((row, i) => {
    const { kind, group_id } = kinds[i]!;
    const peer = kind === "direct" ? peers.get(directPeerId(row.id, userId)) : undefined;
    const group = group_id ? groupRows.get(group_id) : undefined;
    return {
      id: row.id,
      kind,
      peer: peer ? (friends.has(peer.id) ? withOnline(toPublicUser(peer), online) : toPublicUser(peer)) : null,
      group: group ?? null,
      lastSeq: row.last_seq,
      readSeq: row.read_seq,
      peerReadSeq: kind === "direct" ? (row.peer_read_seq ?? 0) : null,
      unread: row.unread,
      lastMessage: row.lm_id === null ? null : rowToMessage(lastMessageRow(row, row.lm_id)),
      updatedAt: row.active_at,
    };
  });
}

function lastMessageRow(row: StateRow, id: string): MessageRow {
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
