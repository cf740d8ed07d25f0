import {
  AdminNoticeBody,
  AdminNoticeResponse,
  AdminStats,
  AdminStatsQuery,
  AdminUserList,
  AdminUserResponse,
  AdminUsersQuery,
  Id,
  Ok,
  type AdminUser,
} from "../../protocol/index.js";
import { endSessions } from "../auth/end-sessions.js";
import { database } from "../db/client.js";
import { findGroup } from "../db/groups.js";
import { messageDatabases } from "../db/message-databases.js";
import { messagesPerDay, pushesOwed } from "../db/message-stats.js";
import { insertNotice } from "../db/notices.js";
import { allOnlineUserIds, onlineCounts, onlineUserIds } from "../db/presence.js";
import { revokeAllSessions } from "../db/sessions.js";
import { countUsers, findUserById, searchUsers, setUserDisabled, type UserRow } from "../db/users.js";
import { deliverInBackground } from "../delivery/deliver.js";
import { dismissGroup } from "../groups/dismiss-group.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { runtimeOf } from "../messaging/runtime.js";
import { storeSystemMessage } from "../messaging/system-message.js";

// The back office: `Authorization: Bearer <ADMIN_SECRET>` (middleware/require-admin.ts), never a user's token.
export const adminRoutes = apiRouter("/api/admin", "admin");

const toAdminUser = (row: UserRow, online: Set<string>): AdminUser => ({
  id: row.id,
  username: row.username,
  displayName: row.displayName,
  createdAt: row.createdAt,
  disabledAt: row.disabledAt,
  online: online.has(row.id),
});

adminRoutes.get(
  "/users",
  {
    summary: "Find users by id or username prefix (ignoring case), ordered by username, paged",
    auth: "admin",
    query: AdminUsersQuery,
    response: { status: 200, schema: AdminUserList },
  },
  async (c, { query }) => {
    const db = database(c.env.DB);
    const id = Id.safeParse(query.query).success ? query.query : undefined;
    // One more than asked: whether there is a next page.
    const rows = await searchUsers(db, { id, prefix: query.query, cursor: query.cursor, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const online = await onlineUserIds(
      db,
      page.map((row) => row.id),
    );
    const nextCursor = rows.length > query.limit ? page[page.length - 1]!.username : null;
    return c.json({ users: page.map((row) => toAdminUser(row, online)), nextCursor }, 200);
  },
);

adminRoutes.post(
  "/users/:id/disable",
  {
    summary: "Disable a user: login and refresh answer 403 account_disabled, every session ends and its sockets close",
    auth: "admin",
    response: { status: 200, schema: AdminUserResponse },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const userId = idParam(c, "id", "user");
    const now = Date.now();
    const existing = await findUserById(db, userId);
    if (!existing) throw notFound("user");
    // Disabling twice keeps the first time. The flag goes first: a login running meanwhile
    // either sees it or has its session ended below (auth/issue-session.ts).
    const row = existing.disabledAt === null ? ((await setUserDisabled(db, userId, now)) ?? existing) : existing;
    await endSessions(runtimeOf(c), userId, await revokeAllSessions(db, userId, now), "disabled");
    return c.json({ user: toAdminUser(row, new Set()) }, 200);
  },
);

adminRoutes.post(
  "/users/:id/enable",
  {
    summary: "Enable a disabled user again: they may log in (their old sessions stay ended)",
    auth: "admin",
    response: { status: 200, schema: AdminUserResponse },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const row = await setUserDisabled(db, idParam(c, "id", "user"), null);
    if (!row) throw notFound("user");
    return c.json({ user: toAdminUser(row, await onlineUserIds(db, [row.id])) }, 200);
  },
);

adminRoutes.delete(
  "/groups/:id",
  {
    summary: "Dismiss a group, as its owner would: members get group_dismissed (by null) and group.removed",
    auth: "admin",
    response: { status: 200, schema: Ok },
    errors: ["not_found"],
  },
  async (c) => {
    const group = await findGroup(database(c.env.DB), idParam(c, "id", "group"));
    if (!group) throw notFound("group");
    await dismissGroup(runtimeOf(c), group, null);
    return c.json({ ok: true as const }, 200);
  },
);

adminRoutes.post(
  "/notices",
  {
    summary:
      "Post a notice: to a conversation (a stored system message { event: \"notice\" }), or to everyone (stored, pushed as `notice` to who is online, listed by GET /api/notices)",
    auth: "admin",
    body: AdminNoticeBody,
    response: { status: 201, schema: AdminNoticeResponse },
    errors: ["not_found"],
  },
  async (c, { body }) => {
    const rt = runtimeOf(c);
    if (body.conversationId) {
      const message = await storeSystemMessage(rt, body.conversationId, { event: "notice", text: body.text });
      return c.json({ message }, 201);
    }
    const db = database(c.env.DB);
    const notice = await insertNotice(db, body.text);
    // One push to whoever is online now; the others (and anyone who misses it) read GET /api/notices.
    deliverInBackground(rt, await allOnlineUserIds(db), { type: "notice", notice });
    return c.json({ notice }, 201);
  },
);

adminRoutes.get(
  "/stats",
  {
    summary: "Counts: users (and disabled), messages per UTC day of the last `days` days, users online now (edge, core, either), pushes owed",
    auth: "admin",
    query: AdminStatsQuery,
    response: { status: 200, schema: AdminStats },
  },
  async (c, { query }) => {
    const db = database(c.env.DB);
    const messageDbs = messageDatabases(c.env);
    const [users, perDay, online, owed] = await Promise.all([countUsers(db), messagesPerDay(messageDbs, query.days), onlineCounts(db), pushesOwed(messageDbs)]);
    return c.json({ users, messagesPerDay: perDay, online, pushesOwed: owed } satisfies AdminStats, 200);
  },
);
