import { ConversationId } from "../../protocol/index.js";
import { rememberMessageDb } from "../db/conversation-directory.js";
import { messageDatabase } from "../db/message-databases.js";
import type { Env } from "../env.js";
import { notFound } from "../http/api-error.js";

export interface ConversationAccess {
  id: string;
  kind: "direct" | "group";
  groupId: string | null;
  /** The database with its messages and read positions (the directory's answer). */
  messages: D1Database;
}

/** A string that is not a conversation id names nothing: 404, like an unknown one. */
export function parseConversationId(value: string | undefined): string {
  if (!ConversationId.safeParse(value).success) throw notFound("conversation");
  return value as string;
}

/** The other user of a 1:1 conversation id `d:<a>:<b>`. */
export function directPeerId(conversationId: string, me: string): string {
  const [, a, b] = conversationId.split(":");
  return a === me ? b! : a!;
}

/**
 * The conversation as its member sees it, with its directory entry, in one query of the main
 * database. Unknown or not mine: the same 404, so a stranger cannot tell whether two users
 * ever shared a 1:1 conversation. Its messages and read positions are on `messages`.
 */
export async function requireMember(env: Env, conversationId: string, userId: string): Promise<ConversationAccess> {
  const row = await env.DB.prepare(
    `SELECT c.kind, c.group_id, c.message_db FROM conversation_members m
     JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = ?1 AND m.user_id = ?2`,
  )
    .bind(conversationId, userId)
    .first<{ kind: "direct" | "group"; group_id: string | null; message_db: number }>();
  if (!row) throw notFound("conversation");
  rememberMessageDb(conversationId, row.message_db);
  return { id: conversationId, kind: row.kind, groupId: row.group_id, messages: messageDatabase(env, row.message_db) };
}
