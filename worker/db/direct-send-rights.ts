import { directConversationId } from "../../protocol/index.js";
import type { Env } from "../env.js";
import type { Db } from "./client.js";
import { messageDbOf } from "./conversation-directory.js";
import { deleteFriendship } from "./friends.js";

// The copy of a friendship kept on the 1:1 conversation's message database
// (migrations/messages/0002_direct_send_rights.sql), so that a 1:1 send checks it inside its
// one append batch (worker/messaging/send-message.ts). The main database's friendships stay
// the authority; this copy is written when a friendship starts (accept), ends (unfriend,
// block) and by a send that had to ask the main database.
//
// Every row carries `since`, the created_at of the friendship it speaks of. A start is
// written only over an older friendship; an end is written whatever the row says, keeping
// the higher `since`. An end runs while its friendship still exists (before the main
// database's delete), when no newer friendship can start, so a start that arrives late
// (accept's copy, or a send's) can never reopen an ended friendship.

/** SQL true when the copy says the two are friends (?1 = the conversation id). */
export const DIRECT_SEND_ALLOWED = "EXISTS (SELECT 1 FROM direct_send_rights WHERE conversation_id = ?1 AND friends = 1)";

const STARTED_SQL = `INSERT INTO direct_send_rights (conversation_id, friends, since) VALUES (?1, 1, ?2)
  ON CONFLICT (conversation_id) DO UPDATE SET friends = 1, since = excluded.since WHERE excluded.since > direct_send_rights.since`;

const ENDED_SQL = `INSERT INTO direct_send_rights (conversation_id, friends, since) VALUES (?1, 0, ?2)
  ON CONFLICT (conversation_id) DO UPDATE SET friends = 0, since = MAX(direct_send_rights.since, excluded.since)`;

/** "They are friends since `since`", as a statement for the caller's batch on the conversation's message database. */
export function friendshipStartedWrite(d1: D1Database, conversationId: string, since: number): D1PreparedStatement {
  return d1.prepare(STARTED_SQL).bind(conversationId, since);
}

/**
 * A friendship started (`since` = its created_at): the copy says so. A conversation that does
 * not exist has no copy to write. Called after the main database's write: if this one fails,
 * the copy lags and the next send asks the main database, which writes it.
 */
export async function recordFriendshipStarted(env: Env, db: Db, userId: string, friendId: string, since: number): Promise<void> {
  const conversationId = directConversationId(userId, friendId);
  const d1 = await messageDbOf(env, db, conversationId);
  if (d1) await friendshipStartedWrite(d1, conversationId, since).run();
}

const FRIENDSHIP_SINCE_SQL = `SELECT MAX(created_at) AS since FROM friendships
  WHERE (user_id = ?1 AND friend_id = ?2) OR (user_id = ?2 AND friend_id = ?1)`;

/**
 * Ends the friendship for both sides; false when there was none. The copy is closed FIRST:
 * if that fails, nothing changed and the caller's request fails; if the main database's
 * delete fails after it, sends are refused by the copy and the main database, which still
 * says friends, lets them through (the slow path) until the request is retried. The other
 * order could leave a copy that still says friends after the friendship is gone.
 */
export async function endFriendship(env: Env, db: Db, userId: string, friendId: string): Promise<boolean> {
  const row = await env.DB.prepare(FRIENDSHIP_SINCE_SQL).bind(userId, friendId).first<{ since: number | null }>();
  if (row?.since == null) return false;
  const conversationId = directConversationId(userId, friendId);
  const messages = await messageDbOf(env, db, conversationId);
  if (messages) await messages.prepare(ENDED_SQL).bind(conversationId, row.since).run();
  return deleteFriendship(db, userId, friendId);
}
