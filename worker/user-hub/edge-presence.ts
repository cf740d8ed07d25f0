import { eq } from "drizzle-orm";
import { database } from "../db/client.js";
import { EDGE_GATEWAY, onlineUserIds, setPresence } from "../db/presence.js";
import { friendships } from "../db/schema.js";
import { announceEdgeDevices } from "../delivery/core-gateway.js";
import { deliver } from "../delivery/deliver.js";
import type { Env } from "../env.js";

/** Storage key of the last online state this object recorded, so it survives hibernation. */
const RECORDED_ONLINE = "edge-online";

/**
 * Called by the UserHub whenever its set of open sockets changed. The core gateways hear
 * the device list every time; D1's presence row and the friends' `presence` push change
 * only on the first open and the last close. Going offline at the edge is not announced
 * while the user is still online through a core gateway.
 */
export async function recordEdgeDevices(env: Env, storage: DurableObjectStorage, userId: string, deviceIds: string[]): Promise<void> {
  await announceEdgeDevices(env, { userId, deviceIds }).catch((error: unknown) =>
    console.warn("edge presence announcement to the core failed", error),
  );
  const online = deviceIds.length > 0;
  const recorded = (await storage.get<boolean>(RECORDED_ONLINE)) ?? false;
  if (online === recorded) return;
  const db = database(env.DB);
  await setPresence(db, userId, EDGE_GATEWAY, online);
  await storage.put(RECORDED_ONLINE, online);
  if (!online && (await onlineUserIds(db, [userId])).has(userId)) return;
  const friends = await db.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, userId));
  await deliver(
    env,
    friends.map((f) => f.id),
    { type: "presence", userId, online },
  );
}
