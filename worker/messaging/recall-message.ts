import { MediaBody, type Message } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { conversationMemberIds } from "../db/conversations.js";
import { unshareRecalledFile } from "../db/files.js";
import { findMembership } from "../db/group-members.js";
import { messageDatabases } from "../db/message-databases.js";
import { carriesFile, findMessage, markRecalled } from "../db/messages.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { numberVar, type Env } from "../env.js";
import { ApiError, forbidden, notFound } from "../http/api-error.js";
import { requireMember } from "./conversation-access.js";
import type { Actor, Runtime } from "./runtime.js";
import { storeSystemMessage } from "./system-message.js";

export const DEFAULT_RECALL_WINDOW_SECONDS = 120;

/**
 * Recalls a message: its sender within RECALL_WINDOW_SECONDS, or a group's owner or admin
 * at any time. The body is cleared and recalled_at set; everyone in the conversation gets
 * `message.recalled`, and a `message_recalled` system message takes the next seq so a
 * device that was offline learns of it by sync. Recalling a recalled message is a no-op.
 */
export async function recallMessage(rt: Runtime, actor: Actor, messageId: string): Promise<Message> {
  const found = await findMessageAnywhere(rt.env, messageId);
  if (!found) throw notFound("message");
  const { message } = found;
  // Outside the conversation, a message id names nothing.
  const access = await requireMember(rt.env, message.conversationId, actor.userId).catch(() => {
    throw notFound("message");
  });
  // Only the copy on the database the directory names is the conversation's (a copy elsewhere
  // would be a leftover of a conversation deleted mid-send).
  if (access.messages !== found.d1) throw notFound("message");
  if (message.recalledAt !== null) return message;
  if (message.kind === "system") throw forbidden("system messages cannot be recalled");

  if (!(await isGroupManager(rt, access.groupId, actor.userId))) {
    if (message.senderId !== actor.userId) throw forbidden("only the sender or a group owner or admin can recall a message");
    const windowSeconds = numberVar(rt.env.RECALL_WINDOW_SECONDS, DEFAULT_RECALL_WINDOW_SECONDS);
    if (Date.now() - message.createdAt > windowSeconds * 1000) {
      throw new ApiError("recall_window_expired", `messages can be recalled only within ${windowSeconds} seconds of sending`);
    }
  }

  const now = Date.now();
  const recalled = await markRecalled(access.messages, messageId, actor.userId, now);
  // A concurrent recall got there first: it already told everyone.
  if (!recalled) return (await findMessage(access.messages, messageId)) ?? message;
  // Its file goes with it: only the uploader may still download it.
  const media = MediaBody.safeParse(message.body);
  if (media.success && !(await carriesFile(access.messages, message.conversationId, media.data.fileId))) {
    await unshareRecalledFile(database(rt.env.DB), media.data.fileId, message.conversationId);
  }

  const members = await conversationMemberIds(database(rt.env.DB), message.conversationId);
  deliverInBackground(rt, members, {
    type: "message.recalled",
    conversationId: message.conversationId,
    messageId,
    seq: message.seq,
    recalledBy: actor.userId,
    recalledAt: now,
  });
  await storeSystemMessage(rt, message.conversationId, { event: "message_recalled", messageId, seq: message.seq, by: actor.userId });
  return recalled;
}

/**
 * A message id does not name its conversation, so every message database is asked at once
 * (one round trip of latency; recalls are rare, and ids are random UUIDs, so at most one answers).
 */
async function findMessageAnywhere(env: Env, messageId: string): Promise<{ message: Message; d1: D1Database } | undefined> {
  const databases = messageDatabases(env);
  const found = await Promise.all(databases.map((d1) => findMessage(d1, messageId)));
  const index = found.findIndex((message) => message !== undefined);
  return index < 0 ? undefined : { message: found[index]!, d1: databases[index]! };
}

async function isGroupManager(rt: Runtime, groupId: string | null, userId: string): Promise<boolean> {
  if (groupId === null) return false;
  const membership = await findMembership(database(rt.env.DB), groupId, userId);
  return membership?.role === "owner" || membership?.role === "admin";
}
