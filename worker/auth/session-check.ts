// Whether an access token's session is still live, asked of the user's Durable Object (its
// live-session set, user-hub/live-sessions.ts) instead of D1 on every request. Answers are
// cached per isolate for at most SESSION_CACHE_MS: an ended session stops working within
// that time everywhere, and at once in the isolate that ended it.
import type { Env } from "../env.js";
import { userHub } from "../user-hub/stub.js";

export const SESSION_CACHE_MS = 1_000;
/** Bound on the cache; past it the cache starts over (a cheap, rare reset beats an LRU here). */
const MAX_CACHED = 10_000;

const cache = new Map<string, { live: boolean; at: number }>();

export async function isSessionLive(env: Env, userId: string, sessionId: string, now = Date.now()): Promise<boolean> {
  const cached = cache.get(sessionId);
  if (cached && now - cached.at < SESSION_CACHE_MS) return cached.live;
  const live = await userHub(env, userId).isSessionLive(userId, sessionId);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(sessionId, { live, at: now });
  return live;
}

/** This isolate ended these sessions: forget what it cached about them. */
export function forgetSessions(sessionIds: string[]): void {
  for (const id of sessionIds) cache.delete(id);
}
