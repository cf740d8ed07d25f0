import type { DeliverRequest, EdgePresenceRequest } from "../../protocol/index.js";
import { bridgeUrls, callBridge, markEveryNodeDown, startBridgeCall, type BridgeCall, type BridgeOutcome } from "../bridge-link/bridge-client.js";
import { isBridgeBusy, noteBridgeBusy } from "../bridge-link/bridge-busy.js";
import { bridgeLink, linkCount, linksAlways } from "../bridge-link/bridge-link.js";
import type { Env } from "../env.js";
import { currentRequestId } from "../logging/request-context.js";

// The seam to the core gateways (Socket.IO nodes behind the bridge).
// deliver() hands every push here once, with the whole recipient list; the UserHub
// reports its set of connected edge devices here whenever it changes. Both are signed
// calls to a bridge node of BRIDGE_URLS (a push enters by its conversation's node, with
// failover round the list: worker/bridge-link/bridge-client.ts); with
// no bridge configured the edge is the only gateway and they do nothing. Failures never throw: storage is the truth, clients sync.

/**
 * One delivery to the core. `issued` settles when the request has left, so deliver() can
 * start it before the edge's fan-out. It is a call of its own unless a bridge node asked for
 * batches lately (X-Bridge-Busy; always, with BRIDGE_LINK_MODE "always"), and BRIDGE_LINKS > 0:
 * then it goes through one of the link objects (worker/bridge-link/bridge-link.ts), which
 * sends it with the other deliveries of a few milliseconds in one batch call.
 */
export function forwardToCore(env: Env, request: DeliverRequest): BridgeCall {
  const links = linkCount(env);
  const viaLink = links > 0 && (linksAlways(env) || isBridgeBusy());
  if (!viaLink || bridgeUrls(env).length === 0) return startBridgeCall(env, "/internal/deliver", request, "worker->bridge", orderKey(request));
  return { issued: Promise.resolve(), outcome: throughLink(env, request, links) };
}

/**
 * The delivery through its link. If the link cannot be reached (the RPC failed: the object
 * restarting, overloaded), the delivery is sent directly, as with links off.
 */
async function throughLink(env: Env, request: DeliverRequest, links: number): Promise<BridgeOutcome> {
  try {
    // The link's call carries the pushes of many requests: each names its own in the body.
    const requestId = currentRequestId();
    const traced = requestId && !request.traceId ? { ...request, traceId: requestId } : request;
    const { outcome, everyNodeDown, bridgeBusy } = await bridgeLink(env, orderKey(request), links).deliver(traced);
    // The down marks live in the link's isolate; the outbox sweep reads this one's
    // (isEveryBridgeNodeDown) to stop early, as it does with direct calls.
    if (outcome === "failed" && everyNodeDown) markEveryNodeDown(env);
    // Only the links hear the nodes now: their word keeps this isolate's pushes batched.
    if (bridgeBusy) noteBridgeBusy();
    return outcome;
  } catch (error) {
    console.warn(`bridge link unreachable: calling the bridge directly (${String(error)})`);
    return startBridgeCall(env, "/internal/deliver", request, "worker->bridge", orderKey(request)).outcome;
  }
}

/**
 * What picks the link, or the entry node with links off: the conversation when the event
 * has one (its pushes keep their order), else the first recipient.
 */
function orderKey(request: DeliverRequest): string {
  const event = request.event as { conversationId?: unknown; message?: { conversationId?: unknown } };
  const conversation = event.message?.conversationId ?? event.conversationId;
  return typeof conversation === "string" ? conversation : request.userIds[0]!;
}

/** The user's edge devices changed (first socket opened, one closed, last closed). */
export async function announceEdgeDevices(env: Env, presence: EdgePresenceRequest): Promise<void> {
  await callBridge(env, "/internal/presence", presence, "hub->bridge");
}
