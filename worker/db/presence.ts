import { and, eq, inArray } from "drizzle-orm";
import type { Friend, PublicUser } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { presence } from "./schema.js";

/** The gateway name under which the Durable Objects record their users. */
export const EDGE_GATEWAY = "edge";

/** Records (online) or clears (offline) one gateway's presence row for a user. */
export async function setPresence(db: Db, userId: string, gateway: string, online: boolean, now = Date.now()): Promise<void> {
  if (online) {
    await db.insert(presence).values({ userId, gateway, since: now }).onConflictDoNothing();
  } else {
    await db.delete(presence).where(and(eq(presence.userId, userId), eq(presence.gateway, gateway)));
  }
}

/** Which of these users have at least one connected device on any gateway. */
export async function onlineUserIds(db: Db, userIds: string[]): Promise<Set<string>> {
  const unique = [...new Set(userIds)];
  const online = new Set<string>();
  // D1 caps bound parameters per statement at 100.
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .selectDistinct({ userId: presence.userId })
      .from(presence)
      .where(inArray(presence.userId, unique.slice(i, i + 90)));
    for (const row of rows) online.add(row.userId);
  }
  return online;
}

/** The user with their `online` flag set from a look-up made by onlineUserIds. */
export function withOnline<U extends PublicUser>(user: U, online: Set<string>): U {
  return { ...user, online: online.has(user.id) };
}

/** Friends as listed by GET /api/friends, each with `user.online` set (one look-up for all). */
export async function withFriendsOnline(db: Db, friends: Friend[]): Promise<Friend[]> {
  const online = await onlineUserIds(
    db,
    friends.map((f) => f.user.id),
  );
  return friends.map((f) => ({ ...f, user: withOnline(f.user, online) }));
}
