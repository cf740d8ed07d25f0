import { EDGE_GATEWAY } from "../db/presence.js";
import { announceEdgeDevices } from "../delivery/core-gateway.js";
import type { Env } from "../env.js";
import { recordGatewayPresence } from "../messaging/presence.js";

/** Storage key of the last online state this object recorded, so it survives hibernation. */
const RECORDED_ONLINE = "edge-online";

/**
 * Called by the UserHub whenever its set of open sockets changed. The core gateways hear
 * the device list every time; D1's presence row and the friends' `presence` push change
 * only on the first open and the last close (worker/messaging/presence.ts decides whether
 * friends hear of it: not while the user is still online through a core gateway).
 */
export async function recordEdgeDevices(env: Env, storage: DurableObjectStorage, userId: string, deviceIds: string[]): Promise<void> {
  await announceEdgeDevices(env, { userId, deviceIds }).catch((error: unknown) =>
    console.warn("edge presence announcement to the core failed", error),
  );
  const online = deviceIds.length > 0;
  const recorded = (await storage.get<boolean>(RECORDED_ONLINE)) ?? false;
  if (online === recorded) return;
  await recordGatewayPresence(env, userId, EDGE_GATEWAY, online);
  await storage.put(RECORDED_ONLINE, online);
}
