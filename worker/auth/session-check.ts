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
  const cached = cachedSessionAnswer(sessionId, now);
  if (cached !== undefined) return cached;
  const live = await userHub(env, userId).isSessionLive(userId, sessionId);
  rememberSessionAnswer(sessionId, live, now);
  return live;
}

/** What this isolate learned of the session less than SESSION_CACHE_MS ago, if anything. */
export function cachedSessionAnswer(sessionId: string, now = Date.now()): boolean | undefined {
  const cached = cache.get(sessionId);
  return cached && now - cached.at < SESSION_CACHE_MS ? cached.live : undefined;
}

/** An answer of the user's object (isSessionLive, or a send's takeTokenIfLive). */
export function rememberSessionAnswer(sessionId: string, live: boolean, now = Date.now()): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(sessionId, { live, at: now });
}

/** This isolate ended these sessions: forget what it cached about them. */
export function forgetSessions(sessionIds: string[]): void {
  for (const id of sessionIds) cache.delete(id);
}
