import type { Context } from "hono";
import type { Message, SystemEvent } from "../../protocol/index.js";
import { rememberMessageDb } from "../db/conversation-directory.js";
import { checkConversationSend } from "../db/send-checks.js";
import type { AppEnv } from "../env.js";
import { notFound } from "../http/api-error.js";
import { appendMessage } from "./append-message.js";
import { pushMessageInBackground } from "./message-push.js";
import { withWaitingRecords } from "./push-records.js";
import { runtimeOf, type Runtime } from "./runtime.js";

/** The sender id of server-made messages. */
export const SYSTEM_SENDER = "system";

/**
 * Stores a system event in a conversation (it takes a sequence number, so devices that
 * were offline see it when they sync) and pushes it to the conversation's members.
 * `extraRecipients` also get the push (e.g. a kicked user, no longer a member).
 */
export async function postSystemMessage(
  c: Context<AppEnv>,
  conversationId: string,
  event: SystemEvent,
  extraRecipients: string[] = [],
): Promise<Message> {
  return storeSystemMessage(runtimeOf(c), conversationId, event, extraRecipients);
}

/** postSystemMessage for code without a Hono context. A conversation that does not exist: 404. */
export async function storeSystemMessage(
  rt: Runtime,
  conversationId: string,
  event: SystemEvent,
  extraRecipients: string[] = [],
): Promise<Message> {
  // Members and directory entry in one main-database round trip, then the append in one.
  const target = await checkConversationSend(rt.env.DB, conversationId);
  // No members: gone (a dismissed group's conversation).
  if (target.messageDb === undefined || target.memberIds.length === 0) throw notFound("conversation");
  const messageDb = target.messageDb;
  rememberMessageDb(conversationId, messageDb);
  const input = { conversationId, senderId: SYSTEM_SENDER, clientMsgId: `sys-${crypto.randomUUID()}`, kind: "system" as const, body: event };
  const { message, edgeUserIds } = await withWaitingRecords(rt, messageDb, (d1, records) => appendMessage(d1, input, target.memberIds, undefined, records));
  // The append read which members have an edge device; extra recipients are not members, so
  // with them delivery reads presence itself.
  const options = extraRecipients.length === 0 ? { edgeUserIds } : {};
  pushMessageInBackground(rt, message, [...target.memberIds, ...extraRecipients], options);
  return message;
}
