import { directConversationId, groupConversationId, type Recipient } from "../../protocol/index.js";
import type { Db } from "../db/client.js";
import { conversationMemberIds, insertConversation, insertConversationMembers, isConversationMember } from "../db/conversations.js";
import { areFriends } from "../db/friends.js";
import { forbidden } from "../http/api-error.js";

export interface SendTarget {
  conversationId: string;
  /** Everyone who gets the message pushed, the sender included (their other devices). */
  memberIds: string[];
}

/**
 * Where a send goes and who may make it: a 1:1 send needs a friendship (checked on
 * every send, so an ended friendship stops new messages), a group send membership.
 */
export async function resolveSendTarget(db: Db, senderId: string, to: Recipient): Promise<SendTarget> {
  if ("userId" in to) {
    if (to.userId === senderId) throw forbidden("you cannot send a message to yourself");
    const conversationId = directConversationId(senderId, to.userId);
    const memberIds = [senderId, to.userId];
    const [friends, member] = await Promise.all([
      areFriends(db, senderId, to.userId),
      isConversationMember(db, conversationId, senderId),
    ]);
    if (!friends) throw forbidden("you can only send messages to your friends");
    if (!member) {
      // Accepting a friend request creates the conversation; this repairs one that is
      // missing (a friendship made before it existed). Both inserts ignore existing rows.
      const now = Date.now();
      await db.batch([
        insertConversation(db, conversationId, "direct", null, now),
        insertConversationMembers(db, conversationId, memberIds, now),
      ]);
    }
    return { conversationId, memberIds };
  }
  const conversationId = groupConversationId(to.groupId);
  const memberIds = await conversationMemberIds(db, conversationId);
  if (!memberIds.includes(senderId)) throw forbidden("you are not a member of this group");
  return { conversationId, memberIds };
}
