import { ConversationId } from "../../protocol/index.js";
import { notFound } from "../http/api-error.js";

export interface ConversationAccess {
  id: string;
  kind: "direct" | "group";
  groupId: string | null;
  lastSeq: number;
  /** The caller's read position. */
  readSeq: number;
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
 * The conversation as its member sees it, in one query. Unknown or not mine: the same 404,
 * so a stranger cannot tell whether two users ever shared a 1:1 conversation.
 */
export async function requireMember(d1: D1Database, conversationId: string, userId: string): Promise<ConversationAccess> {
  const row = await d1
    .prepare(
      `SELECT c.kind, c.group_id, c.last_seq, m.read_seq FROM conversations c
       LEFT JOIN conversation_members m ON m.conversation_id = c.id AND m.user_id = ?2
       WHERE c.id = ?1`,
    )
    .bind(conversationId, userId)
    .first<{ kind: "direct" | "group"; group_id: string | null; last_seq: number; read_seq: number | null }>();
  if (!row || row.read_seq === null) throw notFound("conversation");
  return { id: conversationId, kind: row.kind, groupId: row.group_id, lastSeq: row.last_seq, readSeq: row.read_seq };
}
