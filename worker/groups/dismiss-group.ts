import { groupConversationId } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { listMemberships } from "../db/group-members.js";
import { deleteGroup, type GroupRow } from "../db/groups.js";
import { deleteConversationMessages } from "../db/messages.js";
import { messageDbOf } from "../db/conversation-directory.js";
import { deliverInBackground } from "../delivery/deliver.js";
import type { Actor, Runtime } from "../messaging/runtime.js";
import { storeSystemMessage } from "../messaging/system-message.js";

/**
 * Dismisses a group: the members get its last word (a `group_dismissed` system message) and
 * `group.removed`, then the group, its members, conversation and messages are deleted.
 * `by`: the owner (their device already has its answer), or null for an administrator.
 */
export async function dismissGroup(rt: Runtime, group: GroupRow, by: Actor | null): Promise<void> {
  const db = database(rt.env.DB);
  const conversationId = groupConversationId(group.id);
  const memberIds = (await listMemberships(db, group.id)).map((m) => m.userId);
  // The last word goes out before the conversation is deleted with the group.
  await storeSystemMessage(rt, conversationId, { event: "group_dismissed", by: by?.userId ?? null });
  deliverInBackground(rt, memberIds, { type: "group.removed", groupId: group.id, reason: "dismissed" }, by ? { exceptDevice: by } : {});
  // The directory entry goes with the group (foreign keys): read it first.
  const messages = await messageDbOf(rt.env, db, conversationId);
  await deleteGroup(db, group.id);
  // The message database is not reached by the main database's foreign keys. Deleted after
  // the group, so a send racing the dismissal finds no membership rather than no messages.
  if (messages) await deleteConversationMessages(messages, conversationId);
}
