import { advanceReadPosition } from "../db/messages.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { directPeerId, requireMember } from "./conversation-access.js";
import type { Actor, Runtime } from "./runtime.js";

export interface ReadResult {
  conversationId: string;
  readSeq: number;
  unread: number;
}

/**
 * Moves my read position forward to `seq`, never back and never past the last message:
 * membership on the main database, then one batch on the conversation's message database.
 * When it moved, my other devices learn it (`read`), and in 1:1 so does the peer (a
 * read receipt). Group members get no receipts: that would be a push per member per read.
 */
export async function markRead(rt: Runtime, actor: Actor, conversationId: string, seq: number): Promise<ReadResult> {
  const access = await requireMember(rt.env, conversationId, actor.userId);
  const { before, after } = await advanceReadPosition(access.messages, conversationId, actor.userId, seq);
  if (after.readSeq > before) {
    const recipients = access.kind === "direct" ? [actor.userId, directPeerId(conversationId, actor.userId)] : [actor.userId];
    deliverInBackground(rt, recipients, { type: "read", conversationId, userId: actor.userId, seq: after.readSeq }, { exceptDevice: actor });
  }
  return { conversationId, readSeq: after.readSeq, unread: after.unread };
}
