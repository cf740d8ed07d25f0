import { conversationMemberIds } from "../db/conversations.js";
import { database } from "../db/client.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { requireMember } from "./conversation-access.js";
import type { Actor, Runtime } from "./runtime.js";

/**
 * Relays "I am typing" to the other members of a conversation (not to my own devices).
 * Nothing is stored: a lost typing event costs nothing. Clients send at most one every
 * few seconds while typing (docs/PROTOCOL.md). Unknown conversation: 404; not mine: 403.
 */
export async function relayTyping(rt: Runtime, actor: Actor, conversationId: string): Promise<void> {
  await requireMember(rt.env.DB, conversationId, actor.userId);
  const members = await conversationMemberIds(database(rt.env.DB), conversationId);
  const others = members.filter((id) => id !== actor.userId);
  deliverInBackground(rt, others, { type: "typing", conversationId, userId: actor.userId });
}
