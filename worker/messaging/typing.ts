import { conversationMemberIds } from "../db/conversations.js";
import { blockedEitherWayAmong } from "../db/blocks.js";
import { database } from "../db/client.js";
import { areFriends } from "../db/friends.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { forbidden } from "../http/api-error.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { directPeerId, requireMember } from "./conversation-access.js";
import type { Actor, Runtime } from "./runtime.js";

/**
 * Relays "I am typing" to the other members of a conversation (not to my own devices).
 * Nothing is stored: a lost typing event costs nothing. Clients send at most one every
 * few seconds while typing (docs/PROTOCOL.md). Not my conversation (or none): 404. In 1:1
 * only friends type to each other, as only friends send (403); in a group, members I
 * blocked or who blocked me do not hear it.
 */
export async function relayTyping(rt: Runtime, actor: Actor, conversationId: string): Promise<void> {
  await enforceLimit(rt, actor.userId, "typing");
  const access = await requireMember(rt.env, conversationId, actor.userId);
  const db = database(rt.env.DB);
  if (access.kind === "direct") {
    const peerId = directPeerId(conversationId, actor.userId);
    if (!(await areFriends(db, actor.userId, peerId))) throw forbidden("you can only tell your friends you are typing");
    deliverInBackground(rt, [peerId], { type: "typing", conversationId, userId: actor.userId });
    return;
  }
  const others = (await conversationMemberIds(db, conversationId)).filter((id) => id !== actor.userId);
  const blocked = await blockedEitherWayAmong(db, actor.userId, others);
  const audience = others.filter((id) => !blocked.has(id));
  deliverInBackground(rt, audience, { type: "typing", conversationId, userId: actor.userId });
}
