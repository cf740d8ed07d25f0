import type { Context } from "hono";
import type { ServerEvent } from "../../protocol/index.js";
import type { AppEnv, Env } from "../env.js";

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

/** Every recipient's Durable Object at once (not one round trip after another). */
export async function deliver(env: Env, userIds: string[], event: ServerEvent, options: DeliveryOptions = {}): Promise<void> {
  const unique = [...new Set(userIds)];
  const results = await Promise.allSettled(
    unique.map((userId) => {
      const stub = env.USER_HUB.get(env.USER_HUB.idFromName(userId)) as DurableObjectStub<import("../user-hub/user-hub.js").UserHub>;
      const except = options.exceptDevice?.userId === userId ? options.exceptDevice.deviceId : undefined;
      return stub.push(event, except);
    }),
  );
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length > 0) console.warn(`edge push of ${event.type}: ${failed.length}/${unique.length} users failed`);
}
