import type { Context } from "hono";
import type { ServerEvent } from "../../protocol/index.js";
import type { AppEnv, Env } from "../env.js";
import { logJson } from "../logging/request-context.js";
import type { Runtime } from "../messaging/runtime.js";
import { userHub } from "../user-hub/stub.js";
import { forwardToCore } from "./core-gateway.js";

export interface DeliveryOptions {
  /** Leave this device out (the sender's device already has its answer). */
  exceptDevice?: { userId: string; deviceId: string };
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
  rt.waitUntil(deliver(rt.env, userIds, event, options));
}

/**
 * THE one path every push takes: the edge (each recipient's Durable Object) and the
 * core gateways (one call to the bridge with the whole recipient list), side by side.
 * Never throws: a failed push is logged, and the client recovers it by sync. Returns
 * whether it is complete: every Durable Object took it and the bridge took it (or there
 * is no bridge); worker/messaging/message-push.ts records that for messages.
 */
export async function deliver(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<boolean> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return true;
  const [edge, core] = await Promise.all([
    pushToEdgeUsers(env, unique, event, options),
    forwardToCore(env, { event, userIds: unique, ...(options.exceptDevice ? { exceptDevice: options.exceptDevice } : {}) }).catch(
      (error: unknown) => {
        console.warn(`core push of ${event.type} failed`, error);
        return "failed" as const;
      },
    ),
  ]);
  if (core === "failed") logJson("warn", "core push failed", { event: event.type, users: unique.length });
  return edge.failed === 0 && core !== "failed";
}

/**
 * Only the edge: every recipient's Durable Object at once (one RPC each, all in parallel,
 * never one round trip after another). Also the entry for pushes that came from the
 * bridge, which must not be forwarded back to it. Returns how many sockets got the event.
 */
export async function pushToEdge(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<number> {
  return (await pushToEdgeUsers(env, userIds, event, options)).sockets;
}

/** pushToEdge, also counting the users whose Durable Object failed. */
async function pushToEdgeUsers(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions): Promise<{ sockets: number; failed: number }> {
  const unique = [...new Set(userIds)];
  const results = await Promise.allSettled(
    unique.map((userId) => {
      const except = options.exceptDevice?.userId === userId ? options.exceptDevice.deviceId : undefined;
      return userHub(env, userId).push(event, except);
    }),
  );
  let sockets = 0;
  let failed = 0;
  for (const result of results) {
    if (result.status === "fulfilled") sockets += result.value;
    else failed += 1;
  }
  if (failed > 0) logJson("warn", "edge push failed", { event: event.type, failedUsers: failed, users: unique.length });
  return { sockets, failed };
}
