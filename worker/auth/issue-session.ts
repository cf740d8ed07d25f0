import type { AuthResponse } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { numberVar, type Env } from "../env.js";
import type { Db } from "../db/client.js";
import { openSession, revokeSession } from "../db/sessions.js";
import { isUserDisabled, toMe, type UserRow } from "../db/users.js";
import { accountDisabled } from "../http/api-error.js";
import type { Runtime } from "../messaging/runtime.js";
import { endSessions, sessionOpened } from "./end-sessions.js";
import { hashRefreshToken, newRefreshToken } from "./refresh-token.js";

export const accessTtl = (env: Env) => numberVar(env.ACCESS_TOKEN_TTL_SECONDS, 900);
export const refreshTtl = (env: Env) => numberVar(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600);
/**
 * How long after a rotation the replaced refresh token still counts as a lost race (two tabs
 * of one browser refreshing at once), not as a stolen copy: a plain 401, the session lives.
 */
export const refreshReuseGraceMs = (env: Env) => numberVar(env.REFRESH_REUSE_GRACE_SECONDS, 10) * 1000;

/**
 * Opens a session for one device and answers the tokens for it. The device's earlier
 * session, if any, ends everywhere (its sockets get `session.ended`, reason `new_login`).
 */
export async function issueSession(runtime: Runtime, db: Db, user: UserRow, deviceId: string | undefined): Promise<AuthResponse> {
  const { env } = runtime;
  const now = Date.now();
  const device = deviceId ?? `web-${crypto.randomUUID().slice(0, 8)}`;
  const sessionId = crypto.randomUUID();
  const refreshToken = newRefreshToken();
  const replaced = await openSession(db, {
    id: sessionId,
    userId: user.id,
    deviceId: device,
    refreshTokenHash: await hashRefreshToken(refreshToken),
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + refreshTtl(env) * 1000,
    revokedAt: null,
  });
  // An administrator may disable the user while this login runs. Checked after the insert:
  // either the disable's "end every session" saw this one, or this check sees the disable.
  if (await isUserDisabled(db, user.id)) {
    const own = await revokeSession(db, sessionId, user.id, now);
    await endSessions(runtime, user.id, [...replaced, ...(own ? [own] : [])], "disabled");
    throw accountDisabled();
  }
  await sessionOpened(runtime, user.id, sessionId);
  await endSessions(runtime, user.id, replaced, "new_login");
  const ttl = accessTtl(env);
  const accessToken = await signAccessToken(env.AUTH_SECRET, { userId: user.id, deviceId: device, sessionId }, ttl, now);
  return { user: toMe(user), accessToken, refreshToken, expiresIn: ttl, deviceId: device };
}
