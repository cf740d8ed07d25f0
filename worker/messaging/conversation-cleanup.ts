import { database } from "../db/client.js";
import { messageDbOf } from "../db/conversation-directory.js";
import { dropReadPositions } from "../db/messages.js";
import type { Env } from "../env.js";

// The main database's foreign keys do not reach the message databases: what a deleted
// membership leaves there is removed here, after the main write (a dismissed group's
// messages: worker/groups/dismiss-group.ts).

/**
 * Members who left (or were kicked) lose their read position, so if they come back they
 * start with everything read, as a newcomer does. Best effort: a leftover row only makes a
 * returning member's unread count start from where they left.
 */
export async function forgetReadPositions(env: Env, conversationId: string, userIds: string[]): Promise<void> {
  try {
    const d1 = await messageDbOf(env, database(env.DB), conversationId);
    if (d1) await dropReadPositions(d1, conversationId, userIds);
  } catch (error) {
    console.warn(`read positions of ${userIds.length} users in ${conversationId} not removed`, error);
  }
}
