// Measures how long pushes to a Socket.IO device stop: hands the node a delivery (a typing
// event, as the Worker's POST /internal/deliver) every 50 ms and times the first to arrive.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { BridgeNode } from "../../../node-bridge/node.js";
import type { ServerEvent } from "../../../protocol/index.js";
import { signAccessToken } from "../../../server-auth/access-token.js";
import { signCall } from "../../../server-auth/signing.js";
import { connectCore, type DeviceClient } from "./clients.js";

/** A device on `node` whose token the node accepts with no Worker to ask (the Worker is unreachable). */
export async function probeDevice(node: BridgeNode): Promise<{ userId: string; device: DeviceClient }> {
  const userId = randomUUID();
  const token = await signAccessToken(inject("authSecret"), { userId, deviceId: "phone", sessionId: randomUUID() }, 600);
  return { userId, device: await connectCore(node.socketUrl, token) };
}

/** One delivery to `userId` through the node's internal endpoint; its conversation id marks it. */
async function deliverTyping(node: BridgeNode, userId: string, conversationId: string): Promise<void> {
  const event: ServerEvent = { type: "typing", conversationId, userId: randomUUID() };
  const text = JSON.stringify({ event, userIds: [userId] });
  const path = "/internal/deliver";
  await fetch(`${node.internalUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path, body: text })) },
    body: text,
    signal: AbortSignal.timeout(10_000),
  }).then((response) => response.body?.cancel());
}

/**
 * Milliseconds from now until a delivery started from now on reaches `device` (rejects after
 * `ms`). Deliveries run side by side, one started every 50 ms, so one stuck on a broken
 * connection does not hold the next back.
 */
export async function msUntilPushArrives(node: BridgeNode, userId: string, device: DeviceClient, ms = 20_000): Promise<number> {
  const started = performance.now();
  const sent = new Set<string>();
  const arrived = device.waitFor((e) => e.type === "typing" && sent.has(e.conversationId), "a probe push", ms);
  let done = false;
  void arrived.finally(() => (done = true)).catch(() => {});
  while (!done) {
    const conversationId = `g:${randomUUID()}`;
    sent.add(conversationId);
    deliverTyping(node, userId, conversationId).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await arrived;
  return Math.round(performance.now() - started);
}
