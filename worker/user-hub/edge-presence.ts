import { EDGE_GATEWAY } from "../db/presence.js";
import { announceEdgeDevices } from "../delivery/core-gateway.js";
import type { Env } from "../env.js";
import { recordGatewayPresence } from "../messaging/presence.js";
import { connectedDevices } from "./socket-attachment.js";

/** Storage keys: the last online state this object recorded, and whose object this is (both survive hibernation). */
const RECORDED_ONLINE = "edge-online";
const USER_ID = "user-id";

/**
 * While the user is online, an alarm re-checks the sockets this often. A restart of the
 * object (a deploy, an eviction) drops its sockets without close events; the alarm
 * survives it, wakes the object, finds no socket and records the user offline.
 */
export const PRESENCE_RECHECK_MS = 5 * 60_000;

/**
 * Called by the UserHub whenever its set of open sockets changed, and by its alarm. The
 * core gateways hear the device list every time; D1's presence row and the friends'
 * `presence` push change only on the first open and the last close
 * (worker/messaging/presence.ts decides whether friends hear of it: not while the user is
 * still online through a core gateway).
 */
export async function recordEdgeDevices(env: Env, storage: DurableObjectStorage, userId: string, deviceIds: string[]): Promise<void> {
  await announceEdgeDevices(env, { userId, deviceIds }).catch((error: unknown) =>
    console.warn("edge presence announcement to the core failed", error),
  );
  const online = deviceIds.length > 0;
  if (online && (await storage.getAlarm()) === null) await storage.setAlarm(Date.now() + PRESENCE_RECHECK_MS);
  const recorded = (await storage.get<boolean>(RECORDED_ONLINE)) ?? false;
  if (online === recorded) return;
  await recordGatewayPresence(env, userId, EDGE_GATEWAY, online);
  await storage.put({ [RECORDED_ONLINE]: online, [USER_ID]: userId });
}

/** The alarm's check: record the devices that really are connected now. */
export async function recheckEdgeDevices(env: Env, storage: DurableObjectStorage, sockets: WebSocket[]): Promise<void> {
  const userId = await storage.get<string>(USER_ID);
  if (userId) await recordEdgeDevices(env, storage, userId, connectedDevices(sockets));
}
