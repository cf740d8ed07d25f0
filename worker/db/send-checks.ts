// What a send asks the main database, in ONE statement (one round trip): may the sender
// write there, where do the messages live (the directory) and who gets the push. Which of
// them have an edge device is read by the append (worker/db/edge-user-copies.ts). Raw SQL,
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
}

/** ?1 sender, ?2 peer, ?3 conversation. */
const DIRECT_SEND_SQL = `SELECT
  (SELECT created_at FROM friendships WHERE user_id = ?1 AND friend_id = ?2) AS friends_since,
  (SELECT message_db FROM conversations WHERE id = ?3) AS message_db,
  (SELECT COUNT(*) FROM conversation_members WHERE conversation_id = ?3) AS members`;

/** The checks of a 1:1 send from `senderId` to `peerId` in their conversation. */
export async function checkDirectSend(d1: D1Database, senderId: string, peerId: string, conversationId: string): Promise<DirectSendCheck> {
  const row = await d1
    .prepare(DIRECT_SEND_SQL)
    .bind(senderId, peerId, conversationId)
    .first<{ friends_since: number | null; message_db: number | null; members: number }>();
  if (!row) throw new Error("the direct send check returned no row");
  return {
    friendsSince: row.friends_since ?? undefined,
    messageDb: row.message_db !== null && Number(row.members) === 2 ? row.message_db : undefined,
  };
}

export interface GroupSendCheck {
  memberIds: string[];
  /** Undefined when the conversation does not exist. */
  messageDb: number | undefined;
}

/** ?1 conversation; `members` is a JSON array of user ids. */
const CONVERSATION_SEND_SQL = `SELECT
  (SELECT json_group_array(user_id) FROM conversation_members WHERE conversation_id = ?1) AS members,
  (SELECT message_db FROM conversations WHERE id = ?1) AS message_db`;

/**
 * The members of a conversation and its directory entry: a group send, a system message.
 * The directory entry is a primary-key read inside the same statement, so it is asked even
 * when the isolate has it cached.
 */
export async function checkConversationSend(d1: D1Database, conversationId: string): Promise<GroupSendCheck> {
  const row = await d1
    .prepare(CONVERSATION_SEND_SQL)
    .bind(conversationId)
    .first<{ members: string; message_db: number | null }>();
  if (!row) throw new Error("the conversation send check returned no row");
  return {
    memberIds: JSON.parse(row.members) as string[],
    messageDb: row.message_db ?? undefined,
  };
}
