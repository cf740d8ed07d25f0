import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { directoryLookup } from "./conversation-directory.js";
import { EDGE_GATEWAY } from "./presence.js";
import { conversationMembers, conversations, friendships, presence } from "./schema.js";

// What a send asks the main database, in ONE batch (one round trip): may the sender write
// there, where do the messages live (the directory), who gets the push, and which of them
// have a device on the edge (so delivery calls only their Durable Objects).

/** Which of these users have a device connected to the edge (presence rows of the edge gateway). */
function edgeDevicesAmong(db: Db, userIds: string[] | ReturnType<typeof memberIdsOf>) {
  return db
    .selectDistinct({ userId: presence.userId })
    .from(presence)
    .where(and(eq(presence.gateway, EDGE_GATEWAY), inArray(presence.userId, userIds)));
}

const memberIdsOf = (db: Db, conversationId: string) =>
  db.select({ userId: conversationMembers.userId }).from(conversationMembers).where(eq(conversationMembers.conversationId, conversationId));

export interface DirectSendCheck {
  /** A friendship exists (a block ends it, so this also says neither blocked the other). */
  friends: boolean;
  /** The conversation's message database, when it exists with both members. */
  messageDb: number | undefined;
  edgeUserIds: string[];
}

/** The checks of a 1:1 send from `senderId` to `peerId` in their conversation. */
export async function checkDirectSend(db: Db, senderId: string, peerId: string, conversationId: string): Promise<DirectSendCheck> {
  const [friend, conversation, edge] = await db.batch([
    db
      .select({ friendId: friendships.friendId })
      .from(friendships)
      .where(and(eq(friendships.userId, senderId), eq(friendships.friendId, peerId))),
    db
      .select({
        messageDb: conversations.messageDb,
        members: sql<number>`(SELECT COUNT(*) FROM conversation_members WHERE conversation_id = ${conversations.id})`,
      })
      .from(conversations)
      .where(eq(conversations.id, conversationId)),
    edgeDevicesAmong(db, [senderId, peerId]),
  ]);
  const placed = conversation[0];
  return {
    friends: friend.length > 0,
    messageDb: placed && Number(placed.members) === 2 ? placed.messageDb : undefined,
    edgeUserIds: edge.map((row) => row.userId),
  };
}

export interface GroupSendCheck {
  memberIds: string[];
  /** Undefined when the conversation does not exist; `knownMessageDb` when given (then not asked). */
  messageDb: number | undefined;
  edgeUserIds: string[];
}

/**
 * The members of a conversation, its directory entry (not asked when the caller knows it
 * from the isolate's cache) and which members have an edge device: a group send, a system message.
 */
export async function checkConversationSend(db: Db, conversationId: string, knownMessageDb?: number): Promise<GroupSendCheck> {
  const members = memberIdsOf(db, conversationId);
  const edge = edgeDevicesAmong(db, memberIdsOf(db, conversationId));
  if (knownMessageDb !== undefined) {
    const [memberRows, edgeRows] = await db.batch([members, edge]);
    return { memberIds: memberRows.map((r) => r.userId), messageDb: knownMessageDb, edgeUserIds: edgeRows.map((r) => r.userId) };
  }
  const [memberRows, directory, edgeRows] = await db.batch([members, directoryLookup(db, conversationId), edge]);
  return { memberIds: memberRows.map((r) => r.userId), messageDb: directory[0]?.messageDb, edgeUserIds: edgeRows.map((r) => r.userId) };
}
