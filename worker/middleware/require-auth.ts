import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.js";
import { ApiError } from "../http/api-error.js";
import { cachedSessionAnswer, isSessionLive } from "../auth/session-check.js";
import { verifyAccessTokenCached } from "../auth/verified-tokens.js";

export interface AuthContext {
  userId: string;
  deviceId: string;
  sessionId: string;
}

/**
 * Reads `Authorization: Bearer <access token>` and sets `c.var.auth`, or answers 401. The
 * token must also belong to a live session (not logged out, replaced or revoked; of a user
 * that still exists): asked of the user's Durable Object, cached per isolate for ≤ 1 s. The
 * signature is checked once per token and isolate (auth/verified-tokens.ts).
 */
export const requireAuth = createMiddleware<AppEnv>(async function requireAuth(c, next) {
  const auth = await bearerOf(c.env.AUTH_SECRET, c.req.header("Authorization"));
  if (!(await isSessionLive(c.env, auth.userId, auth.sessionId))) throw sessionEnded();
  c.set("auth", auth);
  await next();
});

/**
 * requireAuth for a route whose first step calls the user's own object anyway (a send takes
 * a rate-limit token there): when this isolate has no fresh answer about the session, the
 * question rides on that call (takeTokenIfLive, worker/limits/enforce-limit.ts) instead of
 * costing a call of its own. `c.var.sessionToCheck` says so; the route must have it answered
 * before it writes anything, and answer sessionEnded() (401) if the session is gone.
 */
export const requireAuthAtLimit = createMiddleware<AppEnv>(async function requireAuthAtLimit(c, next) {
  const auth = await bearerOf(c.env.AUTH_SECRET, c.req.header("Authorization"));
  const cached = cachedSessionAnswer(auth.sessionId);
  if (cached === false) throw sessionEnded();
  c.set("auth", auth);
  if (cached === undefined) c.set("sessionToCheck", { userId: auth.userId, sessionId: auth.sessionId });
  await next();
});

export const sessionEnded = () =>
  new ApiError("unauthorized", "session ended (logged out, replaced by a newer login on this device, or revoked): log in again");

/** The verified bearer token's identity, or 401. */
async function bearerOf(secret: string, header: string | undefined): Promise<AuthContext> {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!match) throw new ApiError("unauthorized", "missing bearer token (Authorization: Bearer <accessToken>)");
  const verified = await verifyAccessTokenCached(secret, match[1]!);
  if (!verified.ok) {
    throw verified.reason === "expired"
      ? new ApiError("token_expired", "access token expired: refresh it with POST /api/auth/refresh")
      : new ApiError("unauthorized", "invalid access token");
  }
  return { userId: verified.userId, deviceId: verified.deviceId, sessionId: verified.sessionId };
}
