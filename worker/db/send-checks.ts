import { EDGE_GATEWAY } from "./presence.js";

// What a send asks the main database, in ONE statement (one round trip): may the sender
// write there, where do the messages live (the directory), who gets the push, and which of
// them have a device on the edge (so delivery calls only their Durable Objects). Raw SQL,
// not drizzle: this runs on every send, and one statement with scalar subqueries costs the
// database (and the isolate) less than a batch of three built by the query builder.

export interface DirectSendCheck {
  /**
   * The friendship's created_at, undefined without one (a block ends it, so this also says
   * neither blocked the other): the version of the message database's copy of it
   * (worker/db/direct-send-rights.ts).
   */
  friendsSince: number | undefined;
  /** The conversation's message database, when it exists with both members. */
  messageDb: number | undefined;
  edgeUserIds: string[];
}

/** ?1 sender, ?2 peer, ?3 conversation, ?4 the edge gateway; `edge` is a JSON array of user ids. */
const DIRECT_SEND_SQL = `SELECT
  (SELECT created_at FROM friendships WHERE user_id = ?1 AND friend_id = ?2) AS friends_since,
  (SELECT message_db FROM conversations WHERE id = ?3) AS message_db,
  (SELECT COUNT(*) FROM conversation_members WHERE conversation_id = ?3) AS members,
  (SELECT json_group_array(DISTINCT user_id) FROM presence WHERE gateway = ?4 AND user_id IN (?1, ?2)) AS edge`;

/** The checks of a 1:1 send from `senderId` to `peerId` in their conversation. */
export async function checkDirectSend(d1: D1Database, senderId: string, peerId: string, conversationId: string): Promise<DirectSendCheck> {
  const row = await d1
    .prepare(DIRECT_SEND_SQL)
    .bind(senderId, peerId, conversationId, EDGE_GATEWAY)
    .first<{ friends_since: number | null; message_db: number | null; members: number; edge: string }>();
  if (!row) throw new Error("the direct send check returned no row");
  return {
    friendsSince: row.friends_since ?? undefined,
    messageDb: row.message_db !== null && Number(row.members) === 2 ? row.message_db : undefined,
    edgeUserIds: JSON.parse(row.edge) as string[],
  };
}

export interface GroupSendCheck {
  memberIds: string[];
  /** Undefined when the conversation does not exist. */
  messageDb: number | undefined;
  edgeUserIds: string[];
}

/** ?1 conversation, ?2 the edge gateway; `members` and `edge` are JSON arrays of user ids. */
const CONVERSATION_SEND_SQL = `SELECT
  (SELECT json_group_array(user_id) FROM conversation_members WHERE conversation_id = ?1) AS members,
  (SELECT message_db FROM conversations WHERE id = ?1) AS message_db,
  (SELECT json_group_array(DISTINCT p.user_id) FROM presence p
     JOIN conversation_members m ON m.conversation_id = ?1 AND m.user_id = p.user_id
   WHERE p.gateway = ?2) AS edge`;

/**
 * The members of a conversation, its directory entry and which members have an edge
 * device: a group send, a system message. The directory entry is a primary-key read inside
 * the same statement, so it is asked even when the isolate has it cached.
 */
export async function checkConversationSend(d1: D1Database, conversationId: string): Promise<GroupSendCheck> {
  const row = await d1
    .prepare(CONVERSATION_SEND_SQL)
    .bind(conversationId, EDGE_GATEWAY)
    .first<{ members: string; message_db: number | null; edge: string }>();
  if (!row) throw new Error("the conversation send check returned no row");
  return {
    memberIds: JSON.parse(row.members) as string[],
    messageDb: row.message_db ?? undefined,
    edgeUserIds: JSON.parse(row.edge) as string[],
  };
}
