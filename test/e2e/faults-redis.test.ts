// Redis restarts under a node: back empty (no persistence, a failover to an empty replica)
// or with its data. The node writes its liveness key and its routes again as soon as its
// client is ready, so pushes to its Socket.IO devices resume within about a second of Redis
// accepting connections, not at the next heartbeat. A private redis-server: the shared one
// is never restarted. The measured figures are printed (docs/OPERATIONS.md "Recovery").
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BridgeNode } from "../../node-bridge/node.js";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { eventually } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";
import { PrivateRedis } from "./support/private-services.js";
import { msUntilPushArrives, probeDevice } from "./support/push-probe.js";

/** Generous, for a loaded CI machine; the figures measured here are printed. */
const RECOVERY_BOUND_MS = 3_000;

describe.skipIf(inject("servicesMissing"))("Redis restarts (private redis-server)", () => {
  const pool = new NodePool();
  let redis: PrivateRedis;
  let node: BridgeNode;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // No Worker: the node then accepts verified tokens without a session check, and the
    // test drives deliveries through the node's own endpoint.
    node = await pool.start("faults-redis", { redisUrl: redis.url, workerUrl: "http://127.0.0.1:9", logLevel: "silent" });
  });
  afterAll(async () => {
    await pool.stopAll();
    await redis?.close();
  });

  for (const keepData of [false, true]) {
    it(`pushes resume within ${RECOVERY_BOUND_MS} ms of Redis coming back ${keepData ? "with its data" : "empty"}`, async () => {
      const { userId, device } = await probeDevice(node);
      try {
        expect(await msUntilPushArrives(node, userId, device)).toBeLessThan(1_000);

        await redis.stop(keepData);
        await redis.start();
        const ms = await msUntilPushArrives(node, userId, device);
        console.log(`[faults-redis] Redis back ${keepData ? "with its data" : "empty"}: pushes resumed ${ms} ms after its port accepted`);
        expect(ms).toBeLessThan(RECOVERY_BOUND_MS);

        const client = new Redis(redis.url);
        try {
          expect(await client.hget(redisKeys.routes(userId), "phone")).toBe(node.nodeId);
          expect(await client.exists(redisKeys.nodeAlive(node.nodeId))).toBe(1);
        } finally {
          client.disconnect();
        }
      } finally {
        device.close();
      }
    });
  }

  it("a look-up that finds no route for a user connected to this node counts as a route miss", async () => {
    const { userId, device } = await probeDevice(node);
    const client = new Redis(redis.url);
    try {
      const before = node.stats.routeMisses;
      await client.del(redisKeys.routes(userId));
      // The next delivery to the user finds no route, though the user is connected here.
      await msUntilPushArrives(node, userId, device, 500).catch(() => {});
      await eventually(async () => node.stats.routeMisses > before, "a route miss counted");
    } finally {
      client.disconnect();
      device.close();
    }
  });
});
