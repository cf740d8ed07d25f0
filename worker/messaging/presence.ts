import { eq } from "drizzle-orm";
import { database, type Db } from "../db/client.js";
import { dropLease, EDGE_GATEWAY, lapsedGateways, onlineUserIds, renewLease, setPresence } from "../db/presence.js";
import { friendships, presence } from "../db/schema.js";
import { deliver } from "../delivery/deliver.js";
import type { Env } from "../env.js";

// A user is online while any gateway (the edge, or a core node) has a device of theirs.
// Gateways report their own rows; friends hear `presence` only when the user's overall
// state flips, so a user moving from a phone on a core node to a browser at the edge
// never blinks offline. A core gateway's rows count only while its lease runs (renewed by
// the node, docs/PROTOCOL.md 7.4): a node that stops without its `gone` report lets it
// lapse, and the next renewal by any node clears its rows and tells the friends.

/**
 * One gateway's presence of a user changed. `written` runs as soon as the row is written
 * (or cleared), before the friends are told: the edge sends a socket its `ready` then.
 */
export async function recordGatewayPresence(env: Env, userId: string, gateway: string, online: boolean, written?: () => void): Promise<void> {
  const db = database(env.DB);
  const wasOnline = (await onlineUserIds(db, [userId])).has(userId);
  // A report is a sign of life: the rows it writes count from now on.
  if (online && gateway !== EDGE_GATEWAY) await renewLease(db, gateway);
  await setPresence(db, userId, gateway, online);
  written?.();
  const isOnline = online || (await onlineUserIds(db, [userId])).has(userId);
  if (wasOnline !== isOnline) await tellFriends(env, db, userId, isOnline);
}

/** A whole gateway is gone: its users who are not online elsewhere go offline. */
export async function clearGatewayPresence(env: Env, gateway: string): Promise<number> {
  const db = database(env.DB);
  await dropLease(db, gateway);
  const cleared = await db.delete(presence).where(eq(presence.gateway, gateway)).returning({ userId: presence.userId });
  const stillOnline = await onlineUserIds(
    db,
    cleared.map((row) => row.userId),
  );
  const offline = cleared.map((row) => row.userId).filter((userId) => !stillOnline.has(userId));
  await Promise.all(offline.map((userId) => tellFriends(env, db, userId, false)));
  return offline.length;
}

/**
 * A node's lease renewal. Also clears the gateways whose lease ran out (their users, unless
 * online elsewhere, go offline to their friends): any living node's renewal sweeps them.
 */
export async function renewGatewayLease(env: Env, gateway: string): Promise<{ lapsed: boolean }> {
  const db = database(env.DB);
  const renewal = await renewLease(db, gateway);
  for (const lapsed of await lapsedGateways(db)) await clearGatewayPresence(env, lapsed);
  return renewal;
}

async function tellFriends(env: Env, db: Db, userId: string, online: boolean): Promise<void> {
  const friends = await db.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, userId));
  await deliver(
    env,
    friends.map((f) => f.id),
    { type: "presence", userId, online },
  );
}
