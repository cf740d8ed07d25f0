import { directConversationId, groupConversationId, type Recipient } from "../../protocol/index.js";
import type { Db } from "../db/client.js";
import { cachedMessageDb, directoryLookup, rememberMessageDb } from "../db/conversation-directory.js";
import { insertConversation, insertConversationMembers } from "../db/conversations.js";
import { placeConversation } from "../db/message-databases.js";
import { checkConversationSend, checkDirectSend } from "../db/send-checks.js";
import type { Env } from "../env.js";
import { forbidden } from "../http/api-error.js";

export interface SendTarget {
  conversationId: string;
  /** Everyone who gets the message pushed, the sender included (their other devices). */
  memberIds: string[];
  /** The index of the conversation's message database (the directory's answer). */
  messageDb: number;
  /** A 1:1 send: the friendship's created_at, as the main database said (the copy's version). */
  friendsSince?: number;
}

/** A 1:1 target whose permission is left to the append (the message database's copy of the friendship). */
export type KnownDirectTarget = Omit<SendTarget, "friendsSince">;

/**
 * A 1:1 send to a conversation this isolate has seen (its directory entry is cached): the
 * main database is not asked first. The append checks the message database's copy of the
 * friendship in its own batch (appendMessage with "check"), and only if that copy does not
 * say friends is resolveSendTarget asked. Undefined: take resolveSendTarget.
 */
export function knownDirectTarget(senderId: string, to: Recipient): KnownDirectTarget | undefined {
  if (!("userId" in to) || to.userId === senderId) return undefined;
  const conversationId = directConversationId(senderId, to.userId);
  const messageDb = cachedMessageDb(conversationId);
  return messageDb === undefined ? undefined : { conversationId, memberIds: [senderId, to.userId], messageDb };
}

/**
 * Where a send goes and who may make it, in one round trip to the main database: a 1:1 send
 * needs a friendship (checked on every send, so an ended friendship or a block stops new
 * messages), a group send membership.
 */
export async function resolveSendTarget(env: Env, db: Db, senderId: string, to: Recipient): Promise<SendTarget> {
  if ("userId" in to) {
    if (to.userId === senderId) throw forbidden("you cannot send a message to yourself");
    const conversationId = directConversationId(senderId, to.userId);
    const memberIds = [senderId, to.userId];
    const check = await checkDirectSend(env.DB, senderId, to.userId, conversationId);
    if (check.friendsSince === undefined) throw forbidden("you can only send messages to your friends");
    const messageDb = check.messageDb ?? (await repairDirectConversation(env, db, conversationId, memberIds));
    rememberMessageDb(conversationId, messageDb);
    return { conversationId, memberIds, messageDb, friendsSince: check.friendsSince };
  }
  const conversationId = groupConversationId(to.groupId);
  const check = await checkConversationSend(env.DB, conversationId);
  if (!check.memberIds.includes(senderId) || check.messageDb === undefined) throw forbidden("you are not a member of this group");
  rememberMessageDb(conversationId, check.messageDb);
  return { conversationId, memberIds: check.memberIds, messageDb: check.messageDb };
}

/**
 * Accepting a friend request creates the conversation; this repairs one that is missing or
 * lacks a member (a friendship made before it existed). Both inserts ignore existing rows,
 * so an existing conversation keeps its placement. Returns its message database.
 */
async function repairDirectConversation(env: Env, db: Db, conversationId: string, memberIds: string[]): Promise<number> {
  const now = Date.now();
  const [, , [row]] = await db.batch([
    insertConversation(db, conversationId, "direct", null, now, placeConversation(env, conversationId)),
    insertConversationMembers(db, conversationId, memberIds, now),
    directoryLookup(db, conversationId),
  ]);
  if (!row) throw new Error(`conversation ${conversationId} is missing right after its insert`);
  return row.messageDb;
}
