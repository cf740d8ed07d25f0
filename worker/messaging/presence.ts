import { eq } from "drizzle-orm";
import { database, type Db } from "../db/client.js";
import { onlineUserIds, setPresence } from "../db/presence.js";
import { friendships, presence } from "../db/schema.js";
import { deliver } from "../delivery/deliver.js";
import type { Env } from "../env.js";

// A user is online while any gateway (the edge, or a core node) has a device of theirs.
// Gateways report their own rows; friends hear `presence` only when the user's overall
// state flips, so a user moving from a phone on a core node to a browser at the edge
// never blinks offline.

/** One gateway's presence of a user changed. */
export async function recordGatewayPresence(env: Env, userId: string, gateway: string, online: boolean): Promise<void> {
  const db = database(env.DB);
  const wasOnline = (await onlineUserIds(db, [userId])).has(userId);
  await setPresence(db, userId, gateway, online);
  const isOnline = online || (await onlineUserIds(db, [userId])).has(userId);
  if (wasOnline !== isOnline) await tellFriends(env, db, userId, isOnline);
}

/** A whole gateway is gone: its users who are not online elsewhere go offline. */
export async function clearGatewayPresence(env: Env, gateway: string): Promise<number> {
  const db = database(env.DB);
  const cleared = await db.delete(presence).where(eq(presence.gateway, gateway)).returning({ userId: presence.userId });
  const stillOnline = await onlineUserIds(
    db,
    cleared.map((row) => row.userId),
  );
  const offline = cleared.map((row) => row.userId).filter((userId) => !stillOnline.has(userId));
  await Promise.all(offline.map((userId) => tellFriends(env, db, userId, false)));
  return offline.length;
}

async function tellFriends(env: Env, db: Db, userId: string, online: boolean): Promise<void> {
  const friends = await db.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, userId));
  await deliver(
    env,
    friends.map((f) => f.id),
    { type: "presence", userId, online },
  );
}
