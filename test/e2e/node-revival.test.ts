// A node that comes back: after a pause longer than its TTL (swept by another node, its
// users reported gone) it writes its routes again AND reports its users online again; and
// a node restarted under the same NODE_ID first clears the routes its previous run left.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { befriend, registerUser } from "./support/api.js";
import { onlineAsSeenBy, presenceOf } from "./support/presence.js";
import { connectCore, connectEdge, eventually } from "./support/clients.js";
import { NodePool, spawnNode, uniqueNodeId } from "./support/nodes.js";

const TTL_MS = 3_000;
const WAIT_MS = TTL_MS + 8_000;

describe.skipIf(inject("servicesMissing"))("a node that comes back", () => {
  const pool = new NodePool();
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    await pool.stopAll();
    await redis.quit();
  });


  it("a node paused past its TTL reports its users online again when it resumes", async () => {
    const [pia, quin] = [await registerUser("pia"), await registerUser("quin")];
    await befriend(pia, quin);
    const quinAtEdge = await connectEdge(quin.token);
    const paused = await spawnNode("paused", { NODE_TTL_MS: String(TTL_MS) });
    try {
      const piaOnNode = await connectCore(paused.socketUrl, pia.token);
      await presenceOf(quinAtEdge, pia, true, 0, WAIT_MS);

      // A pause (GC, VM freeze, SIGSTOP): the liveness key lapses, the shared link node's
      // sweep removes the routes and reports the node gone, so Pia goes offline.
      let mark = quinAtEdge.events.length;
      paused.process.kill("SIGSTOP");
      await presenceOf(quinAtEdge, pia, false, mark, WAIT_MS);
      expect(await redis.hget(redisKeys.routes(pia.id), "d1")).toBeNull();
      expect(await onlineAsSeenBy(quin, pia)).toBe(false);

      // Resumed: its next heartbeat sees the lapse, writes the route and reports Pia online.
      mark = quinAtEdge.events.length;
      paused.process.kill("SIGCONT");
      await presenceOf(quinAtEdge, pia, true, mark, WAIT_MS);
      expect(await onlineAsSeenBy(quin, pia)).toBe(true);
      await eventually(async () => (await redis.hget(redisKeys.routes(pia.id), "d1")) === paused.nodeId, "route written again");
      piaOnNode.close();
    } finally {
      paused.process.kill("SIGCONT");
      quinAtEdge.close();
      await paused.kill();
    }
  });

  it("a node restarted under the same id removes its earlier run's routes, not those that moved", async () => {
    const nodeId = uniqueNodeId("reborn");
    const elsewhere = uniqueNodeId("elsewhere");
    const [stale, moved] = [randomUUID(), randomUUID()];
    // What a previous run killed outright left behind: a route of its own, and one whose
    // device has since reconnected to another node (still listed in the old devices set).
    const table = new RedisRouteTable(redis.duplicate());
    try {
      await table.addRoute(stale, "phone", nodeId);
      await table.addRoute(moved, "phone", nodeId);
      await table.addRoute(moved, "phone", elsewhere);
      expect(await redis.smembers(redisKeys.nodeDevices(nodeId))).toHaveLength(2);

      const node = await pool.start("reborn", { nodeId, nodeTtlMs: TTL_MS });
      expect(node.nodeId).toBe(nodeId);
      expect(await redis.exists(redisKeys.routes(stale))).toBe(0);
      expect(await redis.sismember(redisKeys.online(), stale)).toBe(0);
      expect(await redis.smembers(redisKeys.nodeDevices(nodeId))).toEqual([]);
      expect(await redis.hgetall(redisKeys.routes(moved))).toEqual({ phone: elsewhere });
      expect(await redis.sismember(redisKeys.online(), moved)).toBe(1);
    } finally {
      await table.removeNode(elsewhere);
      await table.close();
    }
  });
});
