import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import type { AppEnv } from "../env.js";
import { ApiError } from "../http/api-error.js";

export interface AuthContext {
  userId: string;
  deviceId: string;
  sessionId: string;
}

/** Reads `Authorization: Bearer <access token>` and sets `c.var.auth`, or answers 401. */
export const requireAuth = createMiddleware<AppEnv>(async function requireAuth(c, next) {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new ApiError("unauthorized", "missing bearer token (Authorization: Bearer <accessToken>)");
  const verified = await verifyAccessToken(c.env.AUTH_SECRET, match[1]!);
  if (!verified.ok) {
    throw verified.reason === "expired"
      ? new ApiError("token_expired", "access token expired: refresh it with POST /api/auth/refresh")
      : new ApiError("unauthorized", "invalid access token");
  }
  c.set("auth", { userId: verified.userId, deviceId: verified.deviceId, sessionId: verified.sessionId });
  await next();
});
