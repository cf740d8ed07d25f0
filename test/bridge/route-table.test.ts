// The Redis route table against the real Redis: the keys of docs/PROTOCOL.md, compare-
// and-delete on disconnect, grouping by live node in one script call, liveness TTL and
// the dead-node sweep; and the embedded table resolving exactly as the Redis one does.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EDGE_NODE_ID } from "../../protocol/index.js";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { RESOLVE_ROUTES_LUA } from "../../node-bridge/routing/redis-scripts.js";
import type { NodeRecipients, RouteTable } from "../../node-bridge/routing/route-table.js";
import { MemoryRouteTable } from "../../node-bridge/embedded/memory-route-table.js";
import { eventually } from "../e2e/support/clients.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

const servicesMissing = inject("servicesMissing");
const user = () => randomUUID();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A resolve() answer in a comparable form: node -> sorted "userId:device,device" (devices sorted). */
const normalized = (byNode: Map<string, NodeRecipients>) =>
  Object.fromEntries(
    [...byNode].map(([nodeId, recipients]) => [
      nodeId,
      recipients.map((r) => `${r.userId}:${[...(r.deviceIds ?? [])].sort().join(",")}`).sort(),
    ]),
  );

/**
 * One routing situation: devices split across nodes, several devices on one node, the
 * edge, a node that never heartbeated, one whose TTL ran out, an offline user. The same
 * ids can be written into several tables (through the RouteTable seam) to compare them.
 */
function routingSituation() {
  const [a, b, dead, expired] = [uniqueNodeId("a"), uniqueNodeId("b"), uniqueNodeId("dead"), uniqueNodeId("expired")];
  const [u0, u1, u2, u3, u4, offline] = Array.from({ length: 6 }, () => user()) as [string, string, string, string, string, string];
  return {
    nodes: [a, b, dead, expired],
    users: [u0, u1, u2, u3, u4],
    /** What to resolve: every user, one twice, one offline. */
    userIds: [u0, u1, u2, u3, u4, offline, u0],
    /** What resolve() must answer, normalized. */
    expected: {
      [a]: [`${u0}:phone`, `${u1}:phone,tablet`].sort(),
      [b]: [`${u0}:laptop`, `${u4}:phone`].sort(),
      [EDGE_NODE_ID]: [`${u0}:web`, `${u2}:web`].sort(),
    },
    async writeInto(table: RouteTable) {
      await table.heartbeat(a, 5_000);
      await table.heartbeat(b, 5_000);
      await table.heartbeat(expired, 50);
      await table.addRoute(u0, "phone", a);
      await table.addRoute(u0, "laptop", b);
      await table.addRoute(u0, "web", EDGE_NODE_ID);
      await table.addRoute(u1, "phone", a);
      await table.addRoute(u1, "tablet", a);
      await table.addRoute(u1, "old", dead);
      await table.addRoute(u2, "web", EDGE_NODE_ID);
      await table.addRoute(u3, "phone", expired);
      await table.addRoute(u4, "phone", b);
    },
  };
}

describe.skipIf(servicesMissing)("RedisRouteTable (real Redis)", () => {
  let redis: Redis;
  /** The table's own connection: the look-up test watches what it sends. */
  let connection: Redis;
  let table: RedisRouteTable;
  beforeAll(() => {
    redis = new Redis(inject("redisUrl"));
    connection = redis.duplicate();
    table = new RedisRouteTable(connection);
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

  it("groups many users by live node, skipping dead nodes; edge is always live", async () => {
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

  /** The commands `connection` sends while `action` runs, as MONITOR shows them (names only). */
  async function commandsSent(action: () => Promise<unknown>): Promise<string[]> {
    const source = `${connection.stream.localAddress}:${connection.stream.localPort}`;
    const monitor = await redis.duplicate().monitor();
    const sent: string[] = [];
    monitor.on("monitor", (_time: string, args: string[], from: string) => from === source && sent.push(String(args[0]).toLowerCase()));
    await action();
    await eventually(async () => sent.length > 0, "the look-up in MONITOR");
    await sleep(100);
    monitor.disconnect();
    return sent;
  }

  /**
   * `count` users, user i on node i mod 3 of [a, b, edge] with device d1, and d2 on the
   * same node (even i) or on a dead one (odd i). Written with plain commands, as a node in
   * another language would (docs/PROTOCOL.md, section 5).
   */
  async function writeAsForeignNode(count: number) {
    const [a, b, dead] = [uniqueNodeId("a"), uniqueNodeId("b"), uniqueNodeId("dead")];
    for (const node of [a, b]) await redis.set(redisKeys.nodeAlive(node), String(Date.now()), "PX", 5_000);
    const users = Array.from({ length: count }, () => user());
    const expected: Record<string, string[]> = { [a]: [], [b]: [], [EDGE_NODE_ID]: [] };
    const writes = redis.pipeline();
    for (const [i, u] of users.entries()) {
      const node = [a, b, EDGE_NODE_ID][i % 3]!;
      writes.hset(redisKeys.routes(u), "d1", node, "d2", i % 2 === 0 ? node : dead);
      expected[node]!.push(i % 2 === 0 ? `${u}:d1,d2` : `${u}:d1`);
    }
    await writes.exec();
    for (const list of Object.values(expected)) list.sort();
    const cleanUp = () => redis.del(...users.map((u) => redisKeys.routes(u)), redisKeys.nodeAlive(a), redisKeys.nodeAlive(b));
    return { users, expected, cleanUp };
  }

  it("resolves 300 users in ONE script call, from the documented keys as a foreign node writes them", async () => {
    const { users, expected, cleanUp } = await writeAsForeignNode(300);
    await table.resolve([users[0]!]); // the connection is up and has the script
    let byNode = new Map<string, NodeRecipients>();
    const sent = await commandsSent(async () => (byNode = await table.resolve(users)));
    expect(sent).toEqual(["evalsha"]); // no HGETALL or EXISTS per user or node from the client
    expect(normalized(byNode)).toEqual(expected);
    await cleanUp();
  });

  it("looks 2,500 users up in three calls of at most 1,000 (one pipeline), answered as one", async () => {
    const { users, expected, cleanUp } = await writeAsForeignNode(2_500);
    await table.resolve([users[0]!]);
    let byNode = new Map<string, NodeRecipients>();
    const sent = await commandsSent(async () => (byNode = await table.resolve([...users, ...users.slice(0, 10)])));
    expect(sent).toEqual(["evalsha", "evalsha", "evalsha"]);
    expect(normalized(byNode)).toEqual(expected);
    await cleanUp();
  });

  it("resolves exactly as the embedded MemoryRouteTable does", async () => {
    const situation = routingSituation();
    const memory = new MemoryRouteTable();
    await situation.writeInto(table);
    await situation.writeInto(memory);
    await sleep(100); // `expired` is past its TTL, not swept yet
    const fromRedis = normalized(await table.resolve(situation.userIds));
    expect(fromRedis).toEqual(situation.expected);
    expect(normalized(await memory.resolve(situation.userIds))).toEqual(fromRedis);
    expect(await table.resolve([])).toEqual(new Map());
    expect(await memory.resolve([])).toEqual(new Map());
    for (const node of situation.nodes) await table.removeNode(node);
    for (const u of situation.users) await table.setDevices(u, EDGE_NODE_ID, []);
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
    // ...and cleaned by a sweep: this one, or that of a node of another test file running
    // meanwhile (every live node sweeps every TTL/3), which may get there first.
    const swept = await table.sweepDeadNodes();
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

  it("removing a node (start-up cleanup, shutdown, sweep) keeps the routes that moved elsewhere", async () => {
    const table = new MemoryRouteTable();
    const [stale, moved] = [user(), user()];
    await table.addRoute(stale, "phone", "a");
    await table.addRoute(moved, "phone", "a");
    await table.addRoute(moved, "phone", "b");
    expect(await table.removeNode("a")).toBe(1);
    expect(await table.onlineOf([stale, moved])).toEqual([false, true]);
    expect(await table.routesOf([moved])).toEqual(new Map([[moved, new Map([["phone", "b"]])]]));
  });
});

describe("the route look-up script", () => {
  it("is the one docs/PROTOCOL.md prints for other implementations", async () => {
    const protocol = await readFile(new URL("../../docs/PROTOCOL.md", import.meta.url), "utf8");
    expect(protocol).toContain("```lua\n" + RESOLVE_ROUTES_LUA.trim() + "\n```");
  });
});
