import { countUnread } from "../db/messages.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { directPeerId, requireMember } from "./conversation-access.js";
import type { Actor, Runtime } from "./runtime.js";

export interface ReadResult {
  conversationId: string;
  readSeq: number;
  unread: number;
}

/**
 * Moves my read position forward to `seq`, never back and never past the last message.
 * When it moved, my other devices learn it (`read`), and in 1:1 so does the peer (a
 * read receipt). Group members get no receipts: that would be a push per member per read.
 */
export async function markRead(rt: Runtime, actor: Actor, conversationId: string, seq: number): Promise<ReadResult> {
  const d1 = rt.env.DB;
  const access = await requireMember(d1, conversationId, actor.userId);
  let readSeq = access.readSeq;
  const target = Math.min(seq, access.lastSeq);
  if (target > readSeq) {
    // MAX() keeps a concurrent, further read from being moved back.
    const row = await d1
      .prepare(
        `UPDATE conversation_members SET read_seq = MAX(read_seq, ?3)
         WHERE conversation_id = ?1 AND user_id = ?2 RETURNING read_seq`,
      )
      .bind(conversationId, actor.userId, target)
      .first<{ read_seq: number }>();
    const moved = row !== null && row.read_seq > readSeq;
    readSeq = row?.read_seq ?? readSeq;
    if (moved) {
      const recipients = access.kind === "direct" ? [actor.userId, directPeerId(conversationId, actor.userId)] : [actor.userId];
      deliverInBackground(rt, recipients, { type: "read", conversationId, userId: actor.userId, seq: readSeq }, { exceptDevice: actor });
    }
  }
  return { conversationId, readSeq, unread: await countUnread(d1, conversationId, actor.userId, readSeq) };
}
