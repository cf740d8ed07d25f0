import { cachedMessageDb } from "../db/conversation-directory.js";
import { messageDatabase } from "../db/message-databases.js";
import { messagePage, type PageRequest } from "../db/messages.js";
import type { Env } from "../env.js";
import { requireMember } from "./conversation-access.js";

/**
 * A page of a conversation's history for one of its members (sync and scrolling back). When
 * this isolate already knows where the conversation's messages live, the membership check
 * (main database) and the page (message database) run at once: one round trip of latency
 * instead of two. The page is only answered once the check passed (else the same 404).
 */
export async function historyPage(env: Env, conversationId: string, userId: string, page: PageRequest) {
  const cached = cachedMessageDb(conversationId);
  if (cached !== undefined) {
    const [, answer] = await Promise.all([
      requireMember(env, conversationId, userId),
      messagePage(messageDatabase(env, cached), conversationId, page),
    ]);
    return answer;
  }
  const access = await requireMember(env, conversationId, userId);
  return messagePage(access.messages, conversationId, page);
}
