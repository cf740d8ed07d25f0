import { AuthResponse, LoginBody, LogoutResponse, RefreshBody, RegisterBody } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { accessTtl, issueSession, refreshTtl } from "../auth/issue-session.js";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../auth/password.js";
import { hashRefreshToken, newRefreshToken } from "../auth/refresh-token.js";
import { database, isUniqueViolation } from "../db/client.js";
import { users } from "../db/schema.js";
import {
  countRecentLoginFailures,
  findLiveSessionByTokenHash,
  LOGIN_FAILURE_WINDOW_MS,
  MAX_LOGIN_FAILURES,
  recordLoginFailure,
  revokeSession,
  rotateSession,
} from "../db/sessions.js";
import { findUserById, findUserByUsername, toMe } from "../db/users.js";
import { ApiError } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";

export const authRoutes = apiRouter("/api/auth", "auth");

authRoutes.post(
  "/register",
  {
    summary: "Create an account and log in on this device",
    auth: false,
    body: RegisterBody,
    response: { status: 201, schema: AuthResponse },
    errors: ["username_taken"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const now = Date.now();
    const row = {
      id: crypto.randomUUID(),
      username: body.username,
      passwordHash: await hashPassword(body.password),
      displayName: body.displayName ?? body.username,
      avatar: null,
      bio: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await db.insert(users).values(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError("username_taken", `username "${body.username}" is taken`);
      throw error;
    }
    return c.json(await issueSession(c.env, db, row, body.deviceId), 201);
  },
);

authRoutes.post(
  "/login",
  {
    summary: "Log in on a device (one session per device id)",
    auth: false,
    body: LoginBody,
    response: { status: 200, schema: AuthResponse },
    errors: ["invalid_credentials", "rate_limited"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const now = Date.now();
    // Throttled per username AND client address, so that failing on purpose from elsewhere
    // cannot lock the owner out. Cloudflare sets CF-Connecting-IP; locally it is absent.
    const client = c.req.header("CF-Connecting-IP") ?? "";
    if ((await countRecentLoginFailures(db, body.username, client, now)) >= MAX_LOGIN_FAILURES) {
      throw new ApiError("rate_limited", "too many failed logins for this username; try again later", undefined, {
        "Retry-After": String(LOGIN_FAILURE_WINDOW_MS / 1000),
      });
    }
    const user = await findUserByUsername(db, body.username);
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const passwordMatches = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !passwordMatches) {
      await recordLoginFailure(db, body.username, client, now);
      throw new ApiError("invalid_credentials", "wrong username or password");
    }
    return c.json(await issueSession(c.env, db, user, body.deviceId), 200);
  },
);

authRoutes.post(
  "/refresh",
  {
    summary: "Trade a refresh token for a new access token and a new refresh token",
    auth: false,
    body: RefreshBody,
    response: { status: 200, schema: AuthResponse },
    errors: ["unauthorized"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const now = Date.now();
    const session = await findLiveSessionByTokenHash(db, await hashRefreshToken(body.refreshToken), now);
    const user = session && (await findUserById(db, session.userId));
    if (!session || !user) throw new ApiError("unauthorized", "refresh token is unknown, expired or revoked");
    const refreshToken = newRefreshToken();
    await rotateSession(db, session.id, await hashRefreshToken(refreshToken), now, now + refreshTtl(c.env) * 1000);
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
    summary: "End this device's session: its refresh token stops working",
    response: { status: 200, schema: LogoutResponse },
  },
  async (c) => {
    const { sessionId, userId } = c.var.auth;
    await revokeSession(database(c.env.DB), sessionId, userId, Date.now());
    return c.json({ ok: true as const }, 200);
  },
);
