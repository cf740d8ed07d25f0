import { rememberSessionAnswer } from "../auth/session-check.js";
import type { Runtime } from "../messaging/runtime.js";
import { sessionEnded } from "../middleware/require-auth.js";
import { userHub } from "../user-hub/stub.js";
import { RATE_LIMITS, rateLimitOf, type LimitName, type RateLimit } from "./limit-config.js";
import type { Verdict } from "./token-bucket.js";
import { rateLimited } from "./rate-limited.js";

/** What each limit counts, for the refusal's message. */
const COUNTED: Record<LimitName, string> = {
  messages: "messages",
  frames: "frames",
  typing: "typing notices",
  friendRequests: "friend requests",
  groupCreates: "new groups",
  groupInvites: "group invites",
  registrations: "registrations from this address",
  uploads: "uploads",
};

/** The Durable Object name of a client address's counters (user ids are UUIDs: no clash). */
export const addressScope = (address: string) => `address:${address}`;

/**
 * Counts one action against a limit and throws 429 rate_limited (with Retry-After) once
 * its bucket is empty. The counters live in the Durable Object named by the scope: the
 * user's own UserHub for per-user limits (one counter for HTTP, edge and Socket.IO, since
 * all three reach the same code), a UserHub named `address:<ip>` for per-address ones.
 * Inside that object (an edge frame) the runtime counts locally instead of calling itself.
 */
export async function enforceLimit(rt: Runtime, scope: string, name: LimitName): Promise<void> {
  const limit = rateLimitOf(rt.env, name);
  const key = RATE_LIMITS[name].envVar;
  const verdict =
    rt.counters?.owner === scope
      ? await rt.counters.take(key, limit)
      : rt.sessionToCheck?.userId === scope
        ? await takeIfSessionLive(rt, rt.sessionToCheck, key, limit)
        : await userHub(rt.env, scope).takeToken(key, limit);
  if (!verdict.allowed) throw rateLimited(COUNTED[name], verdict.retryAfterSeconds);
}

/** The request's session check and the token in one call to the user's object (requireAuthAtLimit); 401 if the session ended. */
async function takeIfSessionLive(rt: Runtime, session: { userId: string; sessionId: string }, key: string, limit: RateLimit): Promise<Verdict> {
  const answer = await userHub(rt.env, session.userId).takeTokenIfLive(session.userId, session.sessionId, key, limit);
  rememberSessionAnswer(session.sessionId, answer !== "session-ended");
  if (answer === "session-ended") throw sessionEnded();
  return answer;
}
