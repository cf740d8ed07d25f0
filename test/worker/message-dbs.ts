import { env } from "cloudflare:test";

// Tests that look at stored messages directly: the message database a conversation or a
// message lives on (vitest.config.ts gives the tests two, MESSAGES_0 and MESSAGES_1).

export const MESSAGE_DBS = [env.MESSAGES_0, env.MESSAGES_1] as const;

/** The message database the directory (conversations.message_db) names for this conversation. */
export async function messageDbOf(conversationId: string): Promise<D1Database> {
  const row = await env.DB.prepare("SELECT message_db FROM conversations WHERE id = ?1").bind(conversationId).first<{ message_db: number }>();
  if (!row) throw new Error(`no conversation ${conversationId}`);
  return MESSAGE_DBS[row.message_db]!;
}

/** The message database holding this message. */
export async function messageDbOfMessage(messageId: string): Promise<D1Database> {
  for (const d1 of MESSAGE_DBS) {
    if (await d1.prepare("SELECT 1 FROM messages WHERE id = ?1").bind(messageId).first()) return d1;
  }
  throw new Error(`no message ${messageId} on any message database`);
}
