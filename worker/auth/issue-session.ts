import type { AuthResponse } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { numberVar, type Env } from "../env.js";
import type { Db } from "../db/client.js";
import { openSession } from "../db/sessions.js";
import { toMe, type UserRow } from "../db/users.js";
import { hashRefreshToken, newRefreshToken } from "./refresh-token.js";

export const accessTtl = (env: Env) => numberVar(env.ACCESS_TOKEN_TTL_SECONDS, 900);
export const refreshTtl = (env: Env) => numberVar(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600);

/** Opens a session for one device and answers the tokens for it. */
export async function issueSession(env: Env, db: Db, user: UserRow, deviceId: string | undefined): Promise<AuthResponse> {
  const now = Date.now();
  const device = deviceId ?? `web-${crypto.randomUUID().slice(0, 8)}`;
  const sessionId = crypto.randomUUID();
  const refreshToken = newRefreshToken();
  await openSession(db, {
    id: sessionId,
    userId: user.id,
    deviceId: device,
    refreshTokenHash: await hashRefreshToken(refreshToken),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + refreshTtl(env) * 1000,
    revokedAt: null,
  });
  const ttl = accessTtl(env);
  const accessToken = await signAccessToken(env.AUTH_SECRET, { userId: user.id, deviceId: device, sessionId }, ttl, now);
  return { user: toMe(user), accessToken, refreshToken, expiresIn: ttl, deviceId: device };
}
