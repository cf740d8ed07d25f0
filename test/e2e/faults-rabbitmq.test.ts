// RabbitMQ restarts under a node: the node reconnects (first tries about 100 ms apart, backoff
// capped at a second), declares the topology again and consumes, so pushes to its Socket.IO
// devices resume within about a second of the broker accepting connections. And a channel
// the broker closes while the connection stays up is opened again. A private RabbitMQ: the
// shared one is never restarted. The measured figures are printed (docs/OPERATIONS.md).
import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BridgeNode } from "../../node-bridge/node.js";
import { EXCHANGE } from "../../node-bridge/messaging/topology.js";
import { signCall } from "../../server-auth/signing.js";
import { NodePool } from "./support/nodes.js";
import { PrivateRabbit } from "./support/private-services.js";
import { msUntilPushArrives, probeDevice } from "./support/push-probe.js";

/** Generous, for a loaded CI machine; the figures measured here are printed. */
const RECOVERY_BOUND_MS = 3_000;

describe.skipIf(inject("servicesMissing"))("RabbitMQ restarts (private broker)", () => {
  const pool = new NodePool();
  let rabbit: PrivateRabbit;
  let node: BridgeNode;

  beforeAll(async () => {
    rabbit = await PrivateRabbit.start();
    // No Worker: the node then accepts verified tokens without a session check, and the
    // test drives deliveries through the node's own endpoint.
    node = await pool.start("faults-rabbit", { rabbitmqUrl: rabbit.url, workerUrl: "http://127.0.0.1:9", logLevel: "silent" });
  }, 120_000);
  afterAll(async () => {
    await pool.stopAll();
    await rabbit?.close();
  }, 120_000);

  it(`pushes resume within ${RECOVERY_BOUND_MS} ms of the broker accepting connections again`, async () => {
    const { userId, device } = await probeDevice(node);
    try {
      expect(await msUntilPushArrives(node, userId, device)).toBeLessThan(1_000);

      const down = performance.now();
      await rabbit.stop();
      await rabbit.start();
      const restartMs = Math.round(performance.now() - down);
      const ms = await msUntilPushArrives(node, userId, device);
      console.log(`[faults-rabbitmq] broker restart took ${restartMs} ms; pushes resumed ${ms} ms after its port accepted`);
      expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    } finally {
      device.close();
    }
  }, 180_000);

  it("while the broker is away a deliver is answered 503, so the Worker keeps the push owed", async () => {
    // A device routed to the node, so the delivery has an envelope to publish.
    const { userId, device } = await probeDevice(node);
    await rabbit.stop();
    try {
      const body = JSON.stringify({ event: { type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() }, userIds: [userId] });
      const path = "/internal/deliver";
      const headers = await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path, body });
      const answer = await fetch(`${node.internalUrl}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ error: { code: "unavailable" }, failedNodes: [node.nodeId] });
    } finally {
      device.close();
      await rabbit.start();
    }
  }, 120_000);

  it("a channel the broker closes while the connection stays up is opened again", async () => {
    const { userId, device } = await probeDevice(node);
    const admin = await connect(rabbit.url);
    try {
      // Deleting the exchange: the node's next publish fails with 404 NOT_FOUND, and the
      // broker closes that channel (not the connection). The node opens a channel again,
      // which declares the exchange again.
      const channel = await admin.createChannel();
      await channel.deleteExchange(EXCHANGE);
      await channel.close();
      const ms = await msUntilPushArrives(node, userId, device);
      console.log(`[faults-rabbitmq] exchange deleted: pushes resumed after ${ms} ms`);
      expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
    } finally {
      await admin.close();
      device.close();
    }
  });
});
