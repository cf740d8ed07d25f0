import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { conversationMembers, conversations } from "./schema.js";

// Statement builders return drizzle queries (not awaited) so callers can put them
// in one db.batch() with their own writes: one atomic D1 transaction.

/** Creates the conversation if missing; existing conversations are left as they are. */
export function insertConversation(db: Db, id: string, kind: "direct" | "group", groupId: string | null, now: number) {
  return db
    .insert(conversations)
    .values({ id, kind, groupId, lastSeq: 0, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}

/**
 * Adds members who start with everything up to the current last message marked read,
 * so joining a busy group does not show hundreds of unread messages. Existing members keep their read position.
 */
export function insertConversationMembers(db: Db, conversationId: string, userIds: string[], now: number) {
  // A query builder, not db.run(sql`...`): drizzle's D1 batch cannot bind a raw statement's
  // parameters ("Cannot read properties of undefined (reading 'bind')", drizzle-orm#2277).
  const readSeq = sql`(SELECT last_seq FROM conversations WHERE id = ${conversationId})`;
  return db
    .insert(conversationMembers)
    .values(userIds.map((userId) => ({ conversationId, userId, readSeq, joinedAt: now })))
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
