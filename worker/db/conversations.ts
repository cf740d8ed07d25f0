import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./client.js";
import { conversationMembers, conversations } from "./schema.js";

// Statement builders return drizzle queries (not awaited) so callers can put them
// in one db.batch() with their own writes: one atomic D1 transaction.

/**
 * Creates the conversation if missing, placed on message database `messageDb` (see
 * placeConversation); an existing conversation is left as it is, its placement included.
 */
export function insertConversation(db: Db, id: string, kind: "direct" | "group", groupId: string | null, now: number, messageDb: number) {
  return db.insert(conversations).values({ id, kind, groupId, createdAt: now, messageDb }).onConflictDoNothing();
}

/**
 * Adds members. Their read position lives in the message database, where a member without
 * one has read everything so far (migrations/messages/0001_messages.sql): joining a busy
 * group does not show hundreds of unread messages. Existing members are left as they are.
 */
export function insertConversationMembers(db: Db, conversationId: string, userIds: string[], now: number) {
  return db
    .insert(conversationMembers)
    .values(userIds.map((userId) => ({ conversationId, userId, joinedAt: now })))
    .onConflictDoNothing();
}

export function deleteConversationMembers(db: Db, conversationId: string, userIds: string[]) {
  return db
    .delete(conversationMembers)
    .where(and(eq(conversationMembers.conversationId, conversationId), inArray(conversationMembers.userId, userIds)));
}

export async function conversationMemberIds(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: conversationMembers.userId })
    .from(conversationMembers)
    .where(eq(conversationMembers.conversationId, conversationId));
  return rows.map((r) => r.userId);
}

export async function isConversationMember(db: Db, conversationId: string, userId: string): Promise<boolean> {
  const row = await db
    .select({ userId: conversationMembers.userId })
    .from(conversationMembers)
    .where(and(eq(conversationMembers.conversationId, conversationId), eq(conversationMembers.userId, userId)))
    .get();
  return row !== undefined;
}
