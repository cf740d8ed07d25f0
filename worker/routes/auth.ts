import { AuthResponse, LoginBody, LogoutResponse, RefreshBody, RegisterBody } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { accessTtl, issueSession, refreshReuseGraceMs, refreshTtl } from "../auth/issue-session.js";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../auth/password.js";
import { hashRefreshToken, newRefreshToken } from "../auth/refresh-token.js";
import { database, isUniqueViolation } from "../db/client.js";
import { users } from "../db/schema.js";
import {
  findLiveSessionByPreviousHash,
  findLiveSessionByTokenHash,
  refreshTokenOwner,
  forgetOldLoginFailures,
  LOGIN_FAILURE_WINDOW_MS,
  releaseLoginAttempt,
  reserveLoginAttempt,
  revokeSession,
  rotateSession,
} from "../db/sessions.js";
import { endSessions } from "../auth/end-sessions.js";
import { findUserById, findUserByUsername, isUserDisabled, toMe } from "../db/users.js";
import { accountDisabled, ApiError } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { addressScope, enforceLimit } from "../limits/enforce-limit.js";
import { runtimeOf } from "../messaging/runtime.js";

export const authRoutes = apiRouter("/api/auth", "auth");

authRoutes.post(
  "/register",
  {
    summary: "Create an account and log in on this device",
    auth: false,
    body: RegisterBody,
    response: { status: 201, schema: AuthResponse },
    errors: ["username_taken", "rate_limited"],
  },
  async (c, { body }) => {
    // LIMIT_REGISTRATIONS per client address. Cloudflare always sets CF-Connecting-IP;
    // without it (wrangler dev, tests) there is no address to count by.
    const address = c.req.header("CF-Connecting-IP");
    if (address) await enforceLimit(runtimeOf(c), addressScope(address), "registrations");
    const db = database(c.env.DB);
    const now = Date.now();
    const row = {
      id: crypto.randomUUID(),
      username: body.username,
      passwordHash: await hashPassword(body.password),
      displayName: body.displayName ?? body.username,
      avatar: null,
      bio: null,
      groupAddPolicy: "friends" as const,
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    };
    try {
      await db.insert(users).values(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError("username_taken", `username "${body.username}" is taken`);
      throw error;
    }
    return c.json(await issueSession(runtimeOf(c), db, row, body.deviceId), 201);
  },
);

authRoutes.post(
  "/login",
  {
    summary: "Log in on a device (one session per device id)",
    auth: false,
    body: LoginBody,
    response: { status: 200, schema: AuthResponse },
    errors: ["invalid_credentials", "account_disabled", "rate_limited"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const now = Date.now();
    // Throttled per username AND client address, so that failing on purpose from elsewhere
    // cannot lock the owner out, and per client address across usernames. Cloudflare sets
    // CF-Connecting-IP; locally it is absent (""). The attempt counts as a failure BEFORE
    // the password is checked (one conditional insert), and is given back if it succeeds.
    const client = c.req.header("CF-Connecting-IP") ?? "";
    const attempt = await reserveLoginAttempt(db, body.username, client, now);
    if (attempt === undefined) {
      throw new ApiError("rate_limited", "too many failed logins for this username or from this address; try again later", undefined, {
        "Retry-After": String(LOGIN_FAILURE_WINDOW_MS / 1000),
      });
    }
    const user = await findUserByUsername(db, body.username);
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const passwordMatches = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !passwordMatches) {
      c.executionCtx.waitUntil(forgetOldLoginFailures(db, now));
      throw new ApiError("invalid_credentials", "wrong username or password");
    }
    await releaseLoginAttempt(db, attempt);
    // Said only to whoever knows the password: it does not tell strangers who is disabled.
    if (user.disabledAt !== null) throw accountDisabled();
    return c.json(await issueSession(runtimeOf(c), db, user, body.deviceId), 200);
  },
);

authRoutes.post(
  "/refresh",
  {
    summary: "Trade a refresh token for a new access token and a new refresh token",
    auth: false,
    body: RefreshBody,
    response: { status: 200, schema: AuthResponse },
    errors: ["unauthorized", "account_disabled"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const now = Date.now();
    const presented = await hashRefreshToken(body.refreshToken);
    const session = await findLiveSessionByTokenHash(db, presented, now);
    if (!session) {
      // Disabling ended the session: its holder learns why, rather than a bare 401.
      const owner = await refreshTokenOwner(db, presented);
      if (owner && (await isUserDisabled(db, owner))) throw accountDisabled();
      // A token an earlier refresh already replaced: whoever holds it copied it. End the
      // session everywhere, so neither the thief nor the owner keeps it (the owner logs in again).
      // Within a few seconds of that rotation it is a lost race between two of the owner's
      // tabs (or a retry after a lost answer), not a theft: refused, the session lives.
      const reused = await findLiveSessionByPreviousHash(db, presented);
      if (reused && now - reused.lastUsedAt < refreshReuseGraceMs(c.env)) {
        throw new ApiError("unauthorized", "refresh token was just rotated by another request");
      }
      const ended = reused && (await revokeSession(db, reused.id, reused.userId, now));
      if (reused && ended) await endSessions(runtimeOf(c), reused.userId, [ended], "refresh_reuse");
      throw new ApiError("unauthorized", "refresh token is unknown, expired or revoked");
    }
    const user = await findUserById(db, session.userId);
    if (!user) throw new ApiError("unauthorized", "refresh token is unknown, expired or revoked");
    if (user.disabledAt !== null) throw accountDisabled();
    const refreshToken = newRefreshToken();
    // Conditional on the presented hash: of two concurrent refreshes with one token, one wins.
    // The loser read the token as current, so it is a race, not a reuse: a plain 401.
    const won = await rotateSession(db, session.id, presented, await hashRefreshToken(refreshToken), now, now + refreshTtl(c.env) * 1000);
    if (!won) throw new ApiError("unauthorized", "refresh token was just used by another request");
    const ttl = accessTtl(c.env);
    const accessToken = await signAccessToken(
      c.env.AUTH_SECRET,
      { userId: user.id, deviceId: session.deviceId, sessionId: session.id },
      ttl,
      now,
    );
    return c.json({ user: toMe(user), accessToken, refreshToken, expiresIn: ttl, deviceId: session.deviceId }, 200);
  },
);

authRoutes.post(
  "/logout",
  {
    summary: "End this device's session everywhere: its tokens stop working and its sockets close",
    response: { status: 200, schema: LogoutResponse },
  },
  async (c) => {
    const { sessionId, userId } = c.var.auth;
    const ended = await revokeSession(database(c.env.DB), sessionId, userId, Date.now());
    await endSessions(runtimeOf(c), userId, ended ? [ended] : [], "logout");
    return c.json({ ok: true as const }, 200);
  },
);
