// Nodes come and go. A node killed without shutdown loses its routes within its TTL, its
// users reconnect to another node and sync with nothing missing; a node that shuts down
// gracefully removes its routes at once.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BridgeNode } from "../../node-bridge/node.js";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { befriend, registerUser, sendText, syncConversation } from "./support/api.js";
import { connectCore, eventually, settle } from "./support/clients.js";
import { NodePool, spawnNode } from "./support/nodes.js";

const TTL_MS = 3_000;

describe.skipIf(inject("servicesMissing"))("node failure and shutdown", () => {
  const pool = new NodePool();
  let survivor: BridgeNode;
  let redis: Redis;

  beforeAll(async () => {
    survivor = await pool.start("survivor", { nodeTtlMs: TTL_MS });
    redis = new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    await pool.stopAll();
    await redis.quit();
  });

  it("a node killed without shutdown loses its routes within the TTL; its users reconnect elsewhere and sync", async () => {
    const [ivan, hank] = [await registerUser("ivan"), await registerUser("hank")];
    await befriend(ivan, hank);
    const doomed = await spawnNode("doomed", { NODE_TTL_MS: String(TTL_MS) });
    try {
      const hankOnDoomed = await connectCore(doomed.socketUrl, hank.token);
      expect(await redis.hget(redisKeys.routes(hank.id), "d1")).toBe(doomed.nodeId);
      const first = await sendText(ivan, { userId: hank.id }, "before the crash");
      await hankOnDoomed.waitForMessage(first.id);
      const lastSeen = first.seq;

      await doomed.kill();
      const killedAt = Date.now();
      hankOnDoomed.close();
      // Sent while hank's node is dead: stored, acknowledged, pushed nowhere useful.
      const missed = [await sendText(ivan, { userId: hank.id }, "while down 1"), await sendText(ivan, { userId: hank.id }, "while down 2")];

      // The liveness key expires after the TTL; the survivor's next sweep removes the routes.
      await eventually(async () => (await redis.exists(redisKeys.routes(hank.id))) === 0, "routes swept", TTL_MS + 5_000);
      const elapsed = Date.now() - killedAt;
      expect(elapsed).toBeLessThan(TTL_MS + Math.ceil(TTL_MS / 3) + 1_500);
      expect(await redis.sismember(redisKeys.nodes(), doomed.nodeId)).toBe(0);
      expect(await redis.exists(redisKeys.nodeDevices(doomed.nodeId))).toBe(0);

      // Hank reconnects to the surviving node and syncs from the last seq he saw.
      const hankOnSurvivor = await connectCore(survivor.socketUrl, hank.token);
      const synced = await syncConversation(hank, first.conversationId, lastSeen);
      expect(synced.map((m) => m.id)).toEqual(missed.map((m) => m.id));
      expect(synced.map((m) => m.seq)).toEqual([lastSeen + 1, lastSeen + 2]);

      const live = await sendText(ivan, { userId: hank.id }, "after the move");
      await hankOnSurvivor.waitForMessage(live.id);
      await settle(300);
      expect(hankOnSurvivor.copiesOf(live.id)).toBe(1);
      hankOnSurvivor.close();
    } finally {
      await doomed.kill();
    }
  });

  it("a graceful shutdown removes the node's routes at once and disconnects its clients", async () => {
    const jill = await registerUser("jill");
    const leaving = await pool.start("leaving", { nodeTtlMs: 60_000 });
    const client = await connectCore(leaving.socketUrl, jill.token);
    expect(await redis.hget(redisKeys.routes(jill.id), "d1")).toBe(leaving.nodeId);

    await leaving.stop();
    expect(await client.closed).toMatchObject({ reason: "lost" });
    expect(await redis.exists(redisKeys.routes(jill.id), redisKeys.nodeAlive(leaving.nodeId), redisKeys.nodeDevices(leaving.nodeId))).toBe(0);
    expect(await redis.sismember(redisKeys.online(), jill.id)).toBe(0);
  });
});
