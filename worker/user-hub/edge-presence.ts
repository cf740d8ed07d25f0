import { EDGE_GATEWAY } from "../db/presence.js";
import { announceEdgeDevices } from "../delivery/core-gateway.js";
import type { Env } from "../env.js";
import { recordGatewayPresence } from "../messaging/presence.js";

/** Storage keys: the last online state this object recorded, and whose object this is (both survive hibernation). */
const RECORDED_ONLINE = "edge-online";
const USER_ID = "user-id";

/**
 * While the user is online, an alarm re-checks the sockets this often. A restart of the
 * object (a deploy, an eviction) drops its sockets without close events; the alarm
 * survives it, wakes the object, finds no socket and records the user offline. A push
 * that reaches an object without sockets while it is recorded online does the same at once.
 */
export const PRESENCE_RECHECK_MS = 5 * 60_000;

/**
 * The user's edge presence row in the main DB (gateway 'edge'), which deliver() reads to
 * choose the Durable Objects it calls (worker/delivery/deliver.ts). Written when the
 * first socket opens, deleted when the last one closes; friends hear `presence` only when
 * the user's overall state flips (worker/messaging/presence.ts decides: not while the user
 * is still online through a core gateway). `rowInPlace` runs once the row exists while
 * the user is online (at once if it did already), before the friends are told: the
 * UserHub sends a new socket its `ready` then, so the row exists before any device of the
 * user syncs, and a slow push to the friends does not hold it back.
 * Throws if D1 failed. Returns whether the recorded state changed.
 */
export async function recordEdgePresence(
  env: Env,
  storage: DurableObjectStorage,
  userId: string,
  deviceIds: string[],
  rowInPlace: () => void = () => {},
): Promise<boolean> {
  const online = deviceIds.length > 0;
  if (online && (await storage.getAlarm()) === null) await storage.setAlarm(Date.now() + PRESENCE_RECHECK_MS);
  const recorded = (await storage.get<boolean>(RECORDED_ONLINE)) ?? false;
  if (online === recorded) {
    if (online) rowInPlace();
    return false;
  }
  await recordGatewayPresence(env, userId, EDGE_GATEWAY, online, online ? rowInPlace : undefined);
  await storage.put({ [RECORDED_ONLINE]: online, [USER_ID]: userId });
  return true;
}

/** The core gateways hear the device list every time it changes (the bridge routes to edge devices by it). Never throws. */
export async function announceEdgePresence(env: Env, userId: string, deviceIds: string[]): Promise<void> {
  await announceEdgeDevices(env, { userId, deviceIds }).catch((error: unknown) =>
    console.warn("edge presence announcement to the core failed", error),
  );
}

/**
 * The re-check (the alarm's, or a push's that found no socket): records the devices that
 * really are connected now. Returns the user id and whether the record changed; nothing
 * for an object that never recorded a user.
 */
export async function recheckEdgePresence(
  env: Env,
  storage: DurableObjectStorage,
  deviceIds: string[],
): Promise<{ userId: string; changed: boolean } | undefined> {
  const userId = await storage.get<string>(USER_ID);
  if (!userId) return undefined;
  return { userId, changed: await recordEdgePresence(env, storage, userId, deviceIds) };
}
