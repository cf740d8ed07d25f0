import type { Context } from "hono";
import type { ServerEvent } from "../../protocol/index.js";
import type { BridgeOutcome } from "../bridge-link/bridge-client.js";
import { database } from "../db/client.js";
import type { AppEnv, Env } from "../env.js";
import { logJson } from "../logging/request-context.js";
import type { Runtime } from "../messaging/runtime.js";
import { userHub } from "../user-hub/stub.js";
import { forwardToCore } from "./core-gateway.js";
import { edgeUsersAmong } from "./edge-recipients.js";

/** The UserHub a push runs in (an edge frame's): its own user's sockets are pushed to directly. */
export interface OwnHub {
  userId: string;
  push(event: ServerEvent, exceptDeviceId?: string): Promise<number>;
}

export interface DeliveryOptions {
  /** Leave this device out (the sender's device already has its answer). */
  exceptDevice?: { userId: string; deviceId: string };
  /** Set when the push runs inside a user's object: that user's push is no call to itself. */
  ownHub?: OwnHub;
  /**
   * Recipients known to have an edge device, read after the event's state was stored (a
   * send's append reads the message database's copy of edge presence in its own batch,
   * worker/db/edge-user-copies.ts); when given, deliver() calls no other user's Durable
   * Object and makes no presence query of its own. Ids that are not among the recipients
   * are ignored. Read before the store, it could miss a device that synced in between: see
   * deliverWithReport.
   */
  edgeUserIds?: string[];
}

/** What one delivery did: for logs, tests and measurements. */
export interface DeliveryReport {
  /** Every Durable Object called took the event, and the bridge took it (or there is no bridge). */
  complete: boolean;
  /** Durable Objects called: the recipients with an edge device. */
  edgeCalls: number;
  /** Edge sockets the event was written to. */
  sockets: number;
  core: BridgeOutcome;
}

/**
 * Pushes an event to every device of these users, after the response is ready
 * (waitUntil). Storage is the truth; a failed push is recovered by the client's sync.
 */
export function deliverLater(c: Context<AppEnv>, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): void {
  if (userIds.length === 0) return;
  c.executionCtx.waitUntil(deliver(c.env, userIds, event, options));
}

/** The same as deliverLater for code without a Hono context (the UserHub Durable Object). */
export function deliverInBackground(rt: Runtime, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): void {
  if (userIds.length === 0) return;
  rt.waitUntil(deliver(rt.env, userIds, event, withOwnHub(rt, options)));
}

/** The options, with the runtime's own object when it runs in one. */
export function withOwnHub(rt: Runtime, options: DeliveryOptions): DeliveryOptions {
  return rt.ownHub ? { ...options, ownHub: rt.ownHub } : options;
}

/**
 * THE one path every push takes. Never throws: a failed push is logged, and the client
 * recovers it by sync. Returns whether it is complete (see DeliveryReport.complete);
 * worker/messaging/message-push.ts records that for messages.
 */
export async function deliver(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<boolean> {
  return (await deliverWithReport(env, userIds, event, options)).complete;
}

/**
 * deliver(), reporting what it did. Two gateways, side by side:
 * - the core: one call to the bridge with the whole recipient list, issued first, so the
 *   Socket.IO users are not queued behind the Durable Objects' fan-out;
 * - the edge: the Durable Object of each recipient with an edge device, and of no one else
 *   (a user without one costs nothing). Who has one is read from the presence table
 *   (one query), unless the caller read it already (options.edgeUserIds).
 *
 * Why reading presence cannot lose a push: the caller stored the event's state (the
 * message) at T1 and calls deliver after that, so presence is read at T2 > T1. A device
 * whose user's edge row exists at T2 is reached through its object. A device of a user
 * whose row is written after T2 gets its `ready` frame only after that write (the object
 * writes the row first: worker/user-hub/user-hub.ts), clients sync after `ready`
 * (docs/PROTOCOL.md), and that sync, after T2 > T1, finds the message. A stale row (a
 * device gone without a close event) costs one wasted call, which also makes the object
 * re-check and clear the row.
 */
export async function deliverWithReport(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return { complete: true, edgeCalls: 0, sockets: 0, core: "no-bridge" };
  const core = forwardToCore(env, { event, userIds: unique, ...(options.exceptDevice ? { exceptDevice: options.exceptDevice } : {}) });
  const edgeUsers = edgeRecipients(env, unique, options.edgeUserIds);
  await core.issued;
  const [edge, coreOutcome] = await Promise.all([edgeUsers.then((ids) => pushToEdgeUsers(env, ids, event, options)), core.outcome]);
  if (coreOutcome === "failed") logJson("warn", "core push failed", { event: event.type, users: unique.length });
  return { complete: edge.failed === 0 && coreOutcome !== "failed", edgeCalls: edge.calls, sockets: edge.sockets, core: coreOutcome };
}

/** The recipients to reach through their Durable Objects; if presence cannot be read, all of them (as if each had a device). */
async function edgeRecipients(env: Env, recipients: string[], known: string[] | undefined): Promise<string[]> {
  if (known) {
    const edge = new Set(known);
    return recipients.filter((id) => edge.has(id));
  }
  try {
    const edge = await edgeUsersAmong(database(env.DB), recipients);
    return recipients.filter((id) => edge.has(id));
  } catch (error) {
    logJson("warn", "edge presence read failed: pushing to every recipient's object", { users: recipients.length, error: String(error) });
    return recipients;
  }
}

/**
 * Only the edge: these users' Durable Objects, whatever the presence table says (one RPC
 * each, all in parallel, never one round trip after another). The entry for pushes that
 * came from the bridge (its routes name edge devices), which must not be forwarded back
 * to it. Returns how many sockets got the event.
 */
export async function pushToEdge(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<number> {
  return (await pushToEdgeUsers(env, [...new Set(userIds)], event, options)).sockets;
}

/** pushToEdge for distinct users, also counting the calls and the users whose Durable Object failed. */
async function pushToEdgeUsers(
  env: Env,
  userIds: string[],
  event: ServerEvent,
  options: DeliveryOptions,
): Promise<{ calls: number; sockets: number; failed: number }> {
  const results = await Promise.allSettled(
    userIds.map((userId) => {
      const except = options.exceptDevice?.userId === userId ? options.exceptDevice.deviceId : undefined;
      const hub = options.ownHub?.userId === userId ? options.ownHub : userHub(env, userId);
      return hub.push(event, except);
    }),
  );
  let sockets = 0;
  let failed = 0;
  for (const result of results) {
    if (result.status === "fulfilled") sockets += result.value;
    else failed += 1;
  }
  if (failed > 0) logJson("warn", "edge push failed", { event: event.type, failedUsers: failed, users: userIds.length });
  return { calls: userIds.length, sockets, failed };
}
