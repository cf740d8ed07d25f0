import type { Context } from "hono";
import type { OwnHub } from "../delivery/deliver.js";
import type { AppEnv, Env } from "../env.js";
import type { RateLimit } from "../limits/limit-config.js";
import type { Verdict } from "../limits/token-bucket.js";

/**
 * What the messaging services need from whoever runs them: the bindings and a way to
 * keep background work (pushes) alive after the answer is sent. A Hono request and the
 * UserHub Durable Object (a WebSocket frame) both provide it.
 */
export interface Runtime {
  env: Env;
  waitUntil(promise: Promise<unknown>): void;
  /**
   * Set inside a UserHub: the rate-limit counters of the object's own user, taken locally
   * (worker/limits/enforce-limit.ts), so an edge frame does not call its own object.
   */
  counters?: { owner: string; take(key: string, limit: RateLimit): Promise<Verdict> };
  /** Set inside a UserHub too: pushes to the object's own user reach its sockets without a call to itself. */
  ownHub?: OwnHub;
  /**
   * A request whose session is still to be asked (requireAuthAtLimit): the user's next limit
   * token is taken only if the session is live (enforceLimit), one call for both.
   */
  sessionToCheck?: { userId: string; sessionId: string };
}

export function runtimeOf(c: Context<AppEnv>): Runtime {
  const sessionToCheck = c.var.sessionToCheck;
  return { env: c.env, waitUntil: (promise) => c.executionCtx.waitUntil(promise), ...(sessionToCheck ? { sessionToCheck } : {}) };
}

/** Who is acting: the user and the device the request or frame came from. */
export interface Actor {
  userId: string;
  deviceId: string;
}
