import type { Context } from "hono";
import type { Message, SystemEvent } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { conversationMemberIds } from "../db/conversations.js";
import type { AppEnv } from "../env.js";
import { appendMessage } from "./append-message.js";
import { pushMessageInBackground } from "./message-push.js";
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

/** postSystemMessage for code without a Hono context. */
export async function storeSystemMessage(
  rt: Runtime,
  conversationId: string,
  event: SystemEvent,
  extraRecipients: string[] = [],
): Promise<Message> {
  const { message } = await appendMessage(rt.env.DB, {
    conversationId,
    senderId: SYSTEM_SENDER,
    clientMsgId: `sys-${crypto.randomUUID()}`,
    kind: "system",
    body: event,
  });
  const members = await conversationMemberIds(database(rt.env.DB), conversationId);
  pushMessageInBackground(rt, message, [...members, ...extraRecipients]);
  return message;
}
