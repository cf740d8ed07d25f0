import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.js";
import { ApiError } from "../http/api-error.js";
import { isSessionLive } from "../auth/session-check.js";
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
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new ApiError("unauthorized", "missing bearer token (Authorization: Bearer <accessToken>)");
  const verified = await verifyAccessTokenCached(c.env.AUTH_SECRET, match[1]!);
  if (!verified.ok) {
    throw verified.reason === "expired"
      ? new ApiError("token_expired", "access token expired: refresh it with POST /api/auth/refresh")
      : new ApiError("unauthorized", "invalid access token");
  }
  if (!(await isSessionLive(c.env, verified.userId, verified.sessionId))) {
    throw new ApiError("unauthorized", "session ended (logged out, replaced by a newer login on this device, or revoked): log in again");
  }
  c.set("auth", { userId: verified.userId, deviceId: verified.deviceId, sessionId: verified.sessionId });
  await next();
});
