import { edgeCopiesCover, writeEdgeUserCopies } from "../db/edge-user-copies.js";
import { EDGE_GATEWAY } from "../db/presence.js";
import { announceEdgeDevices } from "../delivery/core-gateway.js";
import type { Env } from "../env.js";
import { recordGatewayPresence } from "../messaging/presence.js";

/**
 * Storage keys (all survive hibernation): the last online state this object recorded, whose
 * object this is, and which message databases hold the copy of the user's edge presence
 * (edgeCopiesCover when online, "" when deleted everywhere; unset in a record older than the copies).
 */
const RECORDED_ONLINE = "edge-online";
const USER_ID = "user-id";
const COPIES_COVER = "edge-copies";

/**
 * While the user is online, an alarm re-checks the sockets this often. A restart of the
 * object (a deploy, an eviction) drops its sockets without close events; the alarm
 * survives it, wakes the object, finds no socket and records the user offline. A push
 * that reaches an object without sockets while it is recorded online does the same at once.
 */
export const PRESENCE_RECHECK_MS = 5 * 60_000;

/**
 * The user's edge presence: the row in the main DB (gateway 'edge'), which friends, the back
 * office and pushes without a send read, and its copy on every message database, which a
 * send's append reads (worker/db/edge-user-copies.ts). Written when the first socket opens,
 * deleted when the last one closes; friends hear `presence` only when the user's overall
 * state flips (worker/messaging/presence.ts decides: not while the user is still online
 * through a core gateway). `rowInPlace` runs once the row and every copy exist while the
 * user is online (at once if they did already), before the friends are told: the UserHub
 * sends a new socket its `ready` then, so both exist before any device of the user syncs,
 * and a slow push to the friends does not hold it back.
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
  // The copies first: going online they must exist before `ready` (rowInPlace); going
  // offline there is no socket left to miss a push, and the friends hear it last.
  await syncEdgeCopies(env, storage, userId, online);
  if (online === recorded) {
    if (online) rowInPlace();
    return false;
  }
  await recordGatewayPresence(env, userId, EDGE_GATEWAY, online, online ? rowInPlace : undefined);
  await storage.put({ [RECORDED_ONLINE]: online, [USER_ID]: userId });
  return true;
}

/**
 * Brings the copies on the message databases in line with `online`, unless the stored cover
 * says they already are (a database added to MESSAGE_DATABASES since, or a record older than
 * the copies, is written now). Online, a failure throws: no `ready` without every copy.
 * Offline, it is logged and the cover left as it was: the copy left behind costs at most one
 * wasted call, and that call's re-check (it finds no socket) deletes it again.
 */
async function syncEdgeCopies(env: Env, storage: DurableObjectStorage, userId: string, online: boolean): Promise<void> {
  const wanted = online ? edgeCopiesCover(env) : "";
  if ((await storage.get<string>(COPIES_COVER)) === wanted) return;
  try {
    await writeEdgeUserCopies(env, userId, online);
  } catch (error) {
    if (online) throw error;
    console.warn("deleting the copies of edge presence failed; a push's re-check retries", error);
    return;
  }
  await storage.put(COPIES_COVER, wanted);
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
