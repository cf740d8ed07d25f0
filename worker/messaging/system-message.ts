import type { Context } from "hono";
import type { Message, SystemEvent } from "../../protocol/index.js";
import { deliverLater } from "../delivery/deliver.js";
import { database } from "../db/client.js";
import { conversationMemberIds } from "../db/conversations.js";
import type { AppEnv } from "../env.js";
import { appendMessage } from "./append-message.js";

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
  const { message } = await appendMessage(c.env.DB, {
    conversationId,
    senderId: SYSTEM_SENDER,
    clientMsgId: `sys-${crypto.randomUUID()}`,
    kind: "system",
    body: event,
  });
  const members = await conversationMemberIds(database(c.env.DB), conversationId);
  deliverLater(c, [...members, ...extraRecipients], { type: "message.new", message });
  return message;
}
