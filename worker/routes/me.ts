import { eq } from "drizzle-orm";
import { DeviceId, MeResponse, Ok, SessionsResponse, UpdateMeBody } from "../../protocol/index.js";
import { endSessions } from "../auth/end-sessions.js";
import { listLiveSessions, revokeDeviceSession } from "../db/sessions.js";
import { runtimeOf } from "../messaging/runtime.js";
import { database } from "../db/client.js";
import { users } from "../db/schema.js";
import { findUserById, toMe } from "../db/users.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";

export const meRoutes = apiRouter("/api/me", "users");

meRoutes.get("/", { summary: "My profile", response: { status: 200, schema: MeResponse } }, async (c) => {
  const user = await findUserById(database(c.env.DB), c.var.auth.userId);
  if (!user) throw notFound("user");
  return c.json({ user: toMe(user) }, 200);
});

meRoutes.patch(
  "/",
  { summary: "Update my display name, avatar, bio or groupAddPolicy (who may add me to a group)", body: UpdateMeBody, response: { status: 200, schema: MeResponse } },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const [user] = await db
      .update(users)
      .set({ ...body, updatedAt: Date.now() })
      .where(eq(users.id, c.var.auth.userId))
      .returning();
    if (!user) throw notFound("user");
    return c.json({ user: toMe(user) }, 200);
  },
);

meRoutes.get(
  "/sessions",
  { summary: "My signed-in devices, one session each", response: { status: 200, schema: SessionsResponse } },
  async (c) => {
    const rows = await listLiveSessions(database(c.env.DB), c.var.auth.userId, Date.now());
    const sessions = rows.map((row) => ({
      deviceId: row.deviceId,
      createdAt: row.createdAt,
      lastRefreshedAt: row.lastUsedAt,
      current: row.id === c.var.auth.sessionId,
    }));
    return c.json({ sessions }, 200);
  },
);

meRoutes.delete(
  "/sessions/:deviceId",
  {
    summary: "End one of my devices' sessions, as its logout would: its tokens stop working and its sockets close",
    response: { status: 200, schema: Ok },
    errors: ["not_found"],
  },
  async (c) => {
    const deviceId = DeviceId.safeParse(c.req.param("deviceId"));
    const { userId } = c.var.auth;
    const ended = deviceId.success ? await revokeDeviceSession(database(c.env.DB), userId, deviceId.data, Date.now()) : undefined;
    if (!ended) throw notFound("session");
    await endSessions(runtimeOf(c), userId, [ended], "revoked");
    return c.json({ ok: true as const }, 200);
  },
);
