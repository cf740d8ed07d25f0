// The route table in Redis, shared by every node (and by nodes written in other
// languages: docs/PROTOCOL.md). The look-up of a delivery is one script call (per 1,000
// recipients): routes, liveness and grouping by node all run in Redis, and Node parses
// one string.
import type { Redis, Result } from "ioredis";
import { EDGE_NODE_ID } from "../../protocol/index.js";
import { deviceMember, nodeAliveKeyParts, parseDeviceMember, redisKeys } from "./redis-keys.js";
import { REMOVE_ROUTE_LUA, RESOLVE_ROUTES_FIRST_SEEN_LUA, RESOLVE_ROUTES_LUA } from "./redis-scripts.js";
import type { DeviceRoute, NodeRecipients, RouteTable } from "./route-table.js";

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
    /** numberOfKeys, then the routes keys, then the liveness key parts and the edge id. */
    imResolveRoutes(numberOfKeys: number, ...keysThenArgs: string[]): Result<string, Context>;
    /** numberOfKeys, the signature key, the routes keys, then as imResolveRoutes and the expiry: 0 for a replay. */
    imResolveRoutesFirstSeen(numberOfKeys: number, ...keysThenArgs: string[]): Result<string | 0, Context>;
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

/**
 * Users per look-up script call. Redis runs nothing else while a script runs (about
 * 2.5 ms per 1,000 users here), so a delivery to more users is looked up in several
 * calls, sent in one pipeline: one round trip still, and other clients wait less.
 */
const RESOLVE_BATCH_USERS = 1_000;

/** Devices per route-writing MULTI: Redis runs a MULTI as one block too. */
const ADD_BATCH_DEVICES = 1_000;

/** The look-up script's arguments for these users: the number of KEYS, KEYS, then ARGV. */
function lookUpArgs(userIds: string[]): [number, ...string[]] {
  return [
    userIds.length,
    ...userIds.map((userId) => redisKeys.routes(userId)),
    nodeAliveKeyParts.prefix,
    nodeAliveKeyParts.suffix,
    EDGE_NODE_ID,
  ];
}

/** The same with the signature's key first and its expiry last (RESOLVE_ROUTES_FIRST_SEEN_LUA). */
function firstSeenLookUpArgs(signature: string, expiresAt: number, userIds: string[]): [number, ...string[]] {
  const [count, ...rest] = lookUpArgs(userIds);
  return [count + 1, redisKeys.seenSignature(signature), ...rest, String(Math.max(expiresAt, Date.now() + 1))];
}

/** The users of a look-up, at most RESOLVE_BATCH_USERS per script call. */
function batchesOf(userIds: string[]): string[][] {
  const unique = [...new Set(userIds)];
  const batches: string[][] = [];
  for (let at = 0; at < unique.length; at += RESOLVE_BATCH_USERS) batches.push(unique.slice(at, at + RESOLVE_BATCH_USERS));
  return batches;
}

/**
 * Adds one look-up reply to `byNode`. The reply (redis-scripts.ts) is a line per node,
 * "{nodeId} {i}:{deviceId} {i}:{deviceId} {j}:{deviceId}", lines joined by "\n": one entry
 * per device, i = the user's index in `userIds` from 1, a user's entries next to each other.
 */
function addResolved(byNode: Map<string, NodeRecipients>, userIds: string[], reply: string): void {
  if (reply === "") return;
  for (const line of reply.split("\n")) {
    const [nodeId, ...entries] = line.split(" ");
    const recipients = byNode.get(nodeId!) ?? [];
    let index = "";
    let deviceIds: string[] = [];
    for (const entry of entries) {
      const colon = entry.indexOf(":");
      if (colon <= 0) throw new Error(`malformed route look-up reply: ${JSON.stringify(line)}`);
      const entryIndex = entry.slice(0, colon);
      if (entryIndex !== index) {
        const userId = userIds[Number(entryIndex) - 1];
        if (!userId) throw new Error(`malformed route look-up reply: ${JSON.stringify(line)}`);
        index = entryIndex;
        deviceIds = [];
        recipients.push({ userId, deviceIds });
      }
      deviceIds.push(entry.slice(colon + 1));
    }
    byNode.set(nodeId!, recipients);
  }
}

export class RedisRouteTable implements RouteTable {
  constructor(private readonly redis: Redis) {
    redis.defineCommand("imRemoveRoute", { numberOfKeys: 3, lua: REMOVE_ROUTE_LUA });
    // No fixed numberOfKeys: one key per recipient, so each call passes the count first.
    redis.defineCommand("imResolveRoutes", { lua: RESOLVE_ROUTES_LUA, readOnly: true });
    redis.defineCommand("imResolveRoutesFirstSeen", { lua: RESOLVE_ROUTES_FIRST_SEEN_LUA });
  }

  async addRoute(userId: string, deviceId: string, nodeId: string): Promise<void> {
    await this.addRoutes([{ userId, deviceId }], nodeId);
  }

  async addRoutes(devices: readonly DeviceRoute[], nodeId: string): Promise<void> {
    // A stale member left in a previous node's devices set is harmless: removal there is
    // compare-and-delete and will not touch this newer route. One MULTI per batch: each
    // device's route, then the node's devices and the online users in one SADD each.
    for (let at = 0; at < devices.length; at += ADD_BATCH_DEVICES) {
      const batch = devices.slice(at, at + ADD_BATCH_DEVICES);
      const multi = this.redis.multi();
      for (const { userId, deviceId } of batch) multi.hset(redisKeys.routes(userId), deviceId, nodeId);
      multi.sadd(redisKeys.nodeDevices(nodeId), ...batch.map(({ userId, deviceId }) => deviceMember(userId, deviceId)));
      multi.sadd(redisKeys.online(), ...batch.map(({ userId }) => userId));
      await multi.exec();
    }
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
    const byNode = new Map<string, NodeRecipients>();
    const batches = batchesOf(userIds);
    if (batches.length === 0) return byNode;
    let replies: string[];
    if (batches.length === 1) {
      // The usual case, and the hot one (every 1:1 message): a pipeline around one call
      // would only add Node CPU.
      replies = [await this.redis.imResolveRoutes(...lookUpArgs(batches[0]!))];
    } else {
      const pipeline = this.redis.pipeline();
      for (const batch of batches) pipeline.imResolveRoutes(...lookUpArgs(batch));
      replies = values<string>(await pipeline.exec());
    }
    batches.forEach((batch, b) => addResolved(byNode, batch, replies[b]!));
    return byNode;
  }

  /**
   * One round trip: the signature recorded (SET NX, as RedisSeenSignatures) and, only if it
   * was new, the look-up. A delivery to more than RESOLVE_BATCH_USERS users sends the other
   * batches in the same pipeline (read-only: harmless if the first reply says "replay").
   */
  async resolveFirstSeen(signature: string, expiresAt: number, userIds: string[]): Promise<Map<string, NodeRecipients> | undefined> {
    const byNode = new Map<string, NodeRecipients>();
    const batches = batchesOf(userIds);
    const first = batches[0] ?? [];
    let replies: (string | 0)[];
    if (batches.length <= 1) {
      replies = [await this.redis.imResolveRoutesFirstSeen(...firstSeenLookUpArgs(signature, expiresAt, first))];
    } else {
      const pipeline = this.redis.pipeline();
      pipeline.imResolveRoutesFirstSeen(...firstSeenLookUpArgs(signature, expiresAt, first));
      for (const batch of batches.slice(1)) pipeline.imResolveRoutes(...lookUpArgs(batch));
      replies = values<string | 0>(await pipeline.exec());
    }
    if (replies[0] === 0) return undefined;
    batches.forEach((batch, b) => addResolved(byNode, batch, replies[b] as string));
    return byNode;
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

  /** ioredis says `ready` on every (re)connect; the client is connected before this table is built. */
  onReconnected(listener: () => void): void {
    this.redis.on("ready", listener);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
