import type { DeliverRequest, EdgePresenceRequest } from "../../protocol/index.js";
import { callBridge, startBridgeCall, type BridgeCall } from "../bridge-link/bridge-client.js";
import type { Env } from "../env.js";

// The seam to the core gateways (Socket.IO nodes behind the bridge).
// deliver() hands every push here once, with the whole recipient list; the UserHub
// reports its set of connected edge devices here whenever it changes. Both are signed
// calls to the first bridge node of BRIDGE_URLS that takes them (worker/bridge-link/); with
// no bridge configured the edge is the only gateway and they do nothing. Failures never throw: storage is the truth, clients sync.

/**
 * One call per delivery: the bridge routes the event to core devices. `issued` settles
 * when the request has left, so deliver() can start it before the edge's fan-out.
 */
export function forwardToCore(env: Env, request: DeliverRequest): BridgeCall {
  return startBridgeCall(env, "/internal/deliver", request);
}

/** The user's edge devices changed (first socket opened, one closed, last closed). */
export async function announceEdgeDevices(env: Env, presence: EdgePresenceRequest): Promise<void> {
  await callBridge(env, "/internal/presence", presence, "hub->bridge");
}
