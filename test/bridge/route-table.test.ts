// The Redis route table against the real Redis: the keys of docs/PROTOCOL.md, compare-
// and-delete on disconnect, grouping by live node, liveness TTL and the dead-node sweep.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EDGE_NODE_ID } from "../../protocol/index.js";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { MemoryRouteTable } from "../../node-bridge/embedded/memory-route-table.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

const servicesMissing = inject("servicesMissing");
const user = () => randomUUID();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(servicesMissing)("RedisRouteTable (real Redis)", () => {
  let redis: Redis;
  let table: RedisRouteTable;
  beforeAll(() => {
    redis = new Redis(inject("redisUrl"));
    table = new RedisRouteTable(redis.duplicate());
  });
  afterAll(async () => {
    await table.close();
    await redis.quit();
  });

  it("writes user + device -> node in the documented keys and marks the user online", async () => {
    const [u, node] = [user(), uniqueNodeId("a")];
    await table.heartbeat(node, 5_000);
    await table.addRoute(u, "phone", node);
    expect(await redis.hgetall(redisKeys.routes(u))).toEqual({ phone: node });
    expect(await redis.sismember(redisKeys.nodeDevices(node), `${u}:phone`)).toBe(1);
    expect(await redis.sismember(redisKeys.online(), u)).toBe(1);
    expect(await redis.sismember(redisKeys.nodes(), node)).toBe(1);
    const ttl = await redis.pttl(redisKeys.nodeAlive(node));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await table.onlineOf([u, user()])).toEqual([true, false]);
    expect(await table.onlineCount()).toBeGreaterThanOrEqual(1);
    await table.removeNode(node);
  });

  it("removes a route only if it still points at the node (a reconnect elsewhere wins)", async () => {
    const [u, a, b] = [user(), uniqueNodeId("a"), uniqueNodeId("b")];
    await table.addRoute(u, "phone", a);
    await table.addRoute(u, "phone", b); // the device reconnected to b before a saw the close
    await table.removeRoute(u, "phone", a);
    expect(await redis.hgetall(redisKeys.routes(u))).toEqual({ phone: b });
    expect(await redis.sismember(redisKeys.online(), u)).toBe(1);
    await table.removeRoute(u, "phone", b);
    expect(await redis.exists(redisKeys.routes(u))).toBe(0);
    expect(await redis.sismember(redisKeys.online(), u)).toBe(0);
  });

  it("groups many users by live node in pipelined look-ups, skipping dead nodes; edge is always live", async () => {
    const [a, b, dead] = [uniqueNodeId("a"), uniqueNodeId("b"), uniqueNodeId("dead")];
    await table.heartbeat(a, 5_000);
    await table.heartbeat(b, 5_000);
    const [u1, u2, u3, u4, offline] = [user(), user(), user(), user(), user()];
    await table.addRoute(u1, "phone", a);
    await table.addRoute(u1, "laptop", b);
    await table.addRoute(u2, "phone", a);
    await table.addRoute(u2, "tablet", a);
    await table.addRoute(u3, "web", EDGE_NODE_ID);
    await table.addRoute(u4, "phone", dead); // never heartbeated: not alive
    const byNode = await table.resolve([u1, u2, u3, u4, offline]);
    expect(new Set(byNode.keys())).toEqual(new Set([a, b, EDGE_NODE_ID]));
    expect(byNode.get(a)).toEqual(
      expect.arrayContaining([
        { userId: u1, deviceIds: ["phone"] },
        { userId: u2, deviceIds: expect.arrayContaining(["phone", "tablet"]) },
      ]),
    );
    expect(byNode.get(a)).toHaveLength(2);
    expect(byNode.get(b)).toEqual([{ userId: u1, deviceIds: ["laptop"] }]);
    expect(byNode.get(EDGE_NODE_ID)).toEqual([{ userId: u3, deviceIds: ["web"] }]);
    for (const node of [a, b, dead]) await table.removeNode(node);
    await table.setDevices(u3, EDGE_NODE_ID, []);
  });

  it("replaces a user's edge devices with the reported set", async () => {
    const u = user();
    await table.setDevices(u, EDGE_NODE_ID, ["web", "phone"]);
    expect(await redis.hgetall(redisKeys.routes(u))).toEqual({ web: EDGE_NODE_ID, phone: EDGE_NODE_ID });
    await table.setDevices(u, EDGE_NODE_ID, ["phone"]);
    expect(await redis.hgetall(redisKeys.routes(u))).toEqual({ phone: EDGE_NODE_ID });
    await table.setDevices(u, EDGE_NODE_ID, []);
    expect(await redis.exists(redisKeys.routes(u))).toBe(0);
    expect(await redis.sismember(redisKeys.online(), u)).toBe(0);
  });

  it("a node that stops heartbeating is ignored after its TTL and swept by a live one", async () => {
    const [dying, survivor, u] = [uniqueNodeId("dying"), uniqueNodeId("ok"), user()];
    await table.heartbeat(dying, 300);
    await table.heartbeat(survivor, 5_000);
    await table.addRoute(u, "phone", dying);
    expect([...(await table.resolve([u])).keys()]).toEqual([dying]);
    await sleep(400);
    expect((await table.resolve([u])).size).toBe(0); // ignored at once...
    const swept = await table.sweepDeadNodes();
    expect(swept).toContain(dying); // ...and cleaned by the sweep
    expect(await redis.exists(redisKeys.routes(u), redisKeys.nodeDevices(dying))).toBe(0);
    expect(await redis.sismember(redisKeys.nodes(), dying)).toBe(0);
    expect(swept).not.toContain(survivor);
    expect((await table.heartbeat(dying, 300)).wasAlive).toBe(false); // it would re-register
    await table.removeNode(dying);
    await table.removeNode(survivor);
  });
});

describe("MemoryRouteTable (embedded mode) follows the same rules", () => {
  it("compare-and-delete, grouping by live node, sweep", async () => {
    const table = new MemoryRouteTable();
    const u = user();
    await table.heartbeat("a", 5_000);
    await table.heartbeat("b", 50);
    await table.addRoute(u, "phone", "a");
    await table.addRoute(u, "laptop", "b");
    await table.removeRoute(u, "phone", "b"); // points at a: untouched
    expect((await table.resolve([u])).get("a")).toEqual([{ userId: u, deviceIds: ["phone"] }]);
    await sleep(80);
    expect([...(await table.resolve([u])).keys()]).toEqual(["a"]);
    expect(await table.sweepDeadNodes()).toEqual(["b"]);
    expect(await table.routesOf([u])).toEqual(new Map([[u, new Map([["phone", "a"]])]]));
  });
});
