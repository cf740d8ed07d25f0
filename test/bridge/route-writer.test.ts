// The gateway's route writes: the handshakes of one event-loop turn share one write, and a
// device that connects and goes within that turn ends with no route (its removal waits for
// the write), against the embedded table behind the same seam; and a batch in Redis writes
// the keys one addRoute writes, for every device of it.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { MemoryRouteTable } from "../../node-bridge/embedded/memory-route-table.js";
import { RouteWriter } from "../../node-bridge/gateway/route-writer.js";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import type { DeviceRoute } from "../../node-bridge/routing/route-table.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

/** The embedded table, recording each batch written. */
class RecordingTable extends MemoryRouteTable {
  readonly batches: DeviceRoute[][] = [];
  override async addRoutes(devices: readonly DeviceRoute[], nodeId: string): Promise<void> {
    this.batches.push([...devices]);
    await super.addRoutes(devices, nodeId);
  }
}

describe("route writer", () => {
  it("writes the routes added in one turn together, and each add resolves once written", async () => {
    const table = new RecordingTable();
    const writer = new RouteWriter(table, "n1");
    const written = ["u1", "u2", "u3"].map((userId) => writer.add(userId, "phone"));
    expect(table.batches).toEqual([]);
    await Promise.all(written);
    expect(table.batches).toEqual([["u1", "u2", "u3"].map((userId) => ({ userId, deviceId: "phone" }))]);
    expect((await table.routesOf(["u1", "u3"])).get("u3")).toEqual(new Map([["phone", "n1"]]));

    await writer.add("u4", "laptop");
    expect(table.batches.length).toBe(2);
  });

  it("a removal in the same turn as the add lands after it: no route is left behind", async () => {
    const table = new RecordingTable();
    const writer = new RouteWriter(table, "n1");
    const added = writer.add("u1", "phone");
    const removed = writer.remove("u1", "phone");
    await Promise.all([added, removed]);
    expect((await table.routesOf(["u1"])).get("u1")).toEqual(new Map());
  });

  it("a failed write rejects every add of its turn, and a removal still runs", async () => {
    const table = new RecordingTable();
    table.addRoutes = async () => {
      throw new Error("redis down");
    };
    let removals = 0;
    table.removeRoute = async () => void removals++;
    const writer = new RouteWriter(table, "n1");
    const adds = [writer.add("u1", "phone"), writer.add("u2", "phone")];
    const removed = writer.remove("u1", "phone");
    for (const add of adds) await expect(add).rejects.toThrow("redis down");
    await removed;
    expect(removals).toBe(1);
  });
});

describe.skipIf(inject("servicesMissing"))("RedisRouteTable.addRoutes (real Redis)", () => {
  it("writes each device's route, the node's devices and the online users, as addRoute does", async () => {
    const redis = new Redis(inject("redisUrl"));
    const table = new RedisRouteTable(redis.duplicate());
    try {
      const node = uniqueNodeId("batch");
      const [u1, u2] = [randomUUID(), randomUUID()];
      await table.addRoutes([{ userId: u1, deviceId: "phone" }, { userId: u1, deviceId: "laptop" }, { userId: u2, deviceId: "phone" }], node);
      expect(await redis.hgetall(redisKeys.routes(u1))).toEqual({ phone: node, laptop: node });
      expect(await redis.hgetall(redisKeys.routes(u2))).toEqual({ phone: node });
      expect((await redis.smembers(redisKeys.nodeDevices(node))).sort()).toEqual([`${u1}:laptop`, `${u1}:phone`, `${u2}:phone`].sort());
      expect(await redis.smismember(redisKeys.online(), u1, u2)).toEqual([1, 1]);
      await table.addRoutes([], node);
      expect(await table.removeNode(node)).toBe(3);
    } finally {
      await table.close();
      await redis.quit();
    }
  });
});
