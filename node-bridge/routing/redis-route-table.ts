// The route table in Redis, shared by every node (and by nodes written in other
// languages: docs/PROTOCOL.md). Multi-user look-ups are pipelined: one round trip for
// the routes of N users, one more for the liveness of the nodes they point at.
import type { Redis, Result } from "ioredis";
import { EDGE_NODE_ID } from "../../protocol/index.js";
import { deviceMember, parseDeviceMember, redisKeys } from "./redis-keys.js";
import { REMOVE_ROUTE_LUA } from "./redis-scripts.js";
import type { NodeRecipients, RouteTable } from "./route-table.js";

declare module "ioredis" {
  interface RedisCommander<Context> {
    imRemoveRoute(
      routesKey: string,
      nodeDevicesKey: string,
      onlineKey: string,
      deviceId: string,
      nodeId: string,
      member: string,
      userId: string,
    ): Result<number, Context>;
  }
}

/** Pipeline results are [error, value] pairs: surface the first error instead of reading garbage. */
function values<T>(results: [Error | null, unknown][] | null): T[] {
  if (!results) throw new Error("redis pipeline was discarded");
  return results.map(([error, value]) => {
    if (error) throw error;
    return value as T;
  });
}

export class RedisRouteTable implements RouteTable {
  constructor(private readonly redis: Redis) {
    redis.defineCommand("imRemoveRoute", { numberOfKeys: 3, lua: REMOVE_ROUTE_LUA });
  }

  async addRoute(userId: string, deviceId: string, nodeId: string): Promise<void> {
    // A stale member left in a previous node's devices set is harmless: removal there is
    // compare-and-delete and will not touch this newer route.
    await this.redis
      .multi()
      .hset(redisKeys.routes(userId), deviceId, nodeId)
      .sadd(redisKeys.nodeDevices(nodeId), deviceMember(userId, deviceId))
      .sadd(redisKeys.online(), userId)
      .exec();
  }

  async removeRoute(userId: string, deviceId: string, nodeId: string): Promise<void> {
    await this.redis.imRemoveRoute(
      redisKeys.routes(userId),
      redisKeys.nodeDevices(nodeId),
      redisKeys.online(),
      deviceId,
      nodeId,
      deviceMember(userId, deviceId),
      userId,
    );
  }

  async setDevices(userId: string, nodeId: string, deviceIds: string[]): Promise<void> {
    const current = (await this.routesOf([userId])).get(userId) ?? new Map<string, string>();
    const wanted = new Set(deviceIds);
    const stale = [...current].filter(([deviceId, node]) => node === nodeId && !wanted.has(deviceId));
    await Promise.all([
      ...deviceIds.filter((d) => current.get(d) !== nodeId).map((d) => this.addRoute(userId, d, nodeId)),
      ...stale.map(([deviceId]) => this.removeRoute(userId, deviceId, nodeId)),
    ]);
  }

  async routesOf(userIds: string[]): Promise<Map<string, Map<string, string>>> {
    const unique = [...new Set(userIds)];
    const pipeline = this.redis.pipeline();
    for (const userId of unique) pipeline.hgetall(redisKeys.routes(userId));
    const hashes = values<Record<string, string>>(await pipeline.exec());
    return new Map(unique.map((userId, i) => [userId, new Map(Object.entries(hashes[i] ?? {}))]));
  }

  async resolve(userIds: string[]): Promise<Map<string, NodeRecipients>> {
    const routes = await this.routesOf(userIds);
    const nodeIds = new Set<string>();
    for (const devices of routes.values()) for (const nodeId of devices.values()) nodeIds.add(nodeId);
    const alive = await this.aliveNodes([...nodeIds]);

    const byNode = new Map<string, Map<string, string[]>>();
    for (const [userId, devices] of routes) {
      for (const [deviceId, nodeId] of devices) {
        if (!alive.has(nodeId)) continue;
        const users = byNode.get(nodeId) ?? new Map<string, string[]>();
        users.set(userId, [...(users.get(userId) ?? []), deviceId]);
        byNode.set(nodeId, users);
      }
    }
    return new Map(
      [...byNode].map(([nodeId, users]) => [nodeId, [...users].map(([userId, deviceIds]) => ({ userId, deviceIds }))]),
    );
  }

  /** The edge has no liveness key: it is the Worker, alive by definition (PROTOCOL.md). */
  private async aliveNodes(nodeIds: string[]): Promise<Set<string>> {
    const checked = nodeIds.filter((id) => id !== EDGE_NODE_ID);
    const pipeline = this.redis.pipeline();
    for (const nodeId of checked) pipeline.exists(redisKeys.nodeAlive(nodeId));
    const exists = checked.length > 0 ? values<number>(await pipeline.exec()) : [];
    const alive = new Set(checked.filter((_, i) => exists[i] === 1));
    if (nodeIds.includes(EDGE_NODE_ID)) alive.add(EDGE_NODE_ID);
    return alive;
  }

  async onlineOf(userIds: string[]): Promise<boolean[]> {
    if (userIds.length === 0) return [];
    const flags = await this.redis.smismember(redisKeys.online(), ...userIds);
    return flags.map((flag) => flag === 1);
  }

  onlineCount(): Promise<number> {
    return this.redis.scard(redisKeys.online());
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<{ wasAlive: boolean }> {
    const [existed] = values<number>(
      await this.redis
        .multi()
        .exists(redisKeys.nodeAlive(nodeId))
        .set(redisKeys.nodeAlive(nodeId), String(Date.now()), "PX", ttlMs)
        .sadd(redisKeys.nodes(), nodeId)
        .exec(),
    );
    return { wasAlive: existed === 1 };
  }

  async removeNode(nodeId: string): Promise<number> {
    const members = await this.redis.smembers(redisKeys.nodeDevices(nodeId));
    const pipeline = this.redis.pipeline();
    for (const member of members) {
      const device = parseDeviceMember(member);
      if (!device) continue;
      pipeline.imRemoveRoute(
        redisKeys.routes(device.userId),
        redisKeys.nodeDevices(nodeId),
        redisKeys.online(),
        device.deviceId,
        nodeId,
        member,
        device.userId,
      );
    }
    pipeline.del(redisKeys.nodeDevices(nodeId), redisKeys.nodeAlive(nodeId));
    pipeline.srem(redisKeys.nodes(), nodeId);
    const results = values<number>(await pipeline.exec());
    return results.slice(0, -2).reduce((sum, removed) => sum + removed, 0);
  }

  async sweepDeadNodes(): Promise<string[]> {
    const nodeIds = await this.redis.smembers(redisKeys.nodes());
    const alive = await this.aliveNodes(nodeIds);
    const dead = nodeIds.filter((id) => !alive.has(id));
    for (const nodeId of dead) await this.removeNode(nodeId);
    return dead;
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
