// The replay check and the route look-up of a signed delivery in one Redis call
// (RedisRouteTable.resolveFirstSeen, RESOLVE_ROUTES_FIRST_SEEN_LUA), on the real Redis: the
// same answer as resolve(), the signature recorded under its documented key until the call
// goes stale, a second call with it refused without a look-up, and the same beyond one
// script call's 1,000 users.
import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { redisKeys } from "../../node-bridge/routing/redis-keys.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import type { NodeRecipients } from "../../node-bridge/routing/route-table.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

const signature = () => randomBytes(32).toString("hex");
const sorted = (byNode: Map<string, NodeRecipients> | undefined) =>
  byNode && Object.fromEntries([...byNode].map(([nodeId, recipients]) => [nodeId, recipients.map((r) => `${r.userId}:${(r.deviceIds ?? []).join(",")}`).sort()]));

describe.skipIf(inject("servicesMissing"))("RedisRouteTable.resolveFirstSeen (real Redis)", () => {
  let redis: Redis;
  let routes: RedisRouteTable;
  const nodes = [uniqueNodeId("fs-a"), uniqueNodeId("fs-b")] as const;

  beforeAll(async () => {
    redis = new Redis(inject("redisUrl"));
    routes = new RedisRouteTable(redis);
    for (const node of nodes) await routes.heartbeat(node, 60_000);
  });
  afterAll(async () => {
    for (const node of nodes) await routes.removeNode(node);
    await routes.close();
  });

  it("answers as resolve() does, records the signature until the call is stale, and refuses it the second time", async () => {
    const [u1, u2, offline] = [randomUUID(), randomUUID(), randomUUID()];
    await routes.addRoute(u1, "phone", nodes[0]);
    await routes.addRoute(u1, "web", nodes[1]);
    await routes.addRoute(u2, "phone", nodes[1]);
    const sig = signature();
    const expiresAt = Date.now() + 60_000;
    const first = await routes.resolveFirstSeen(sig, expiresAt, [u1, u2, offline, u1]);
    expect(sorted(first)).toEqual(sorted(await routes.resolve([u1, u2, offline])));
    const ttl = await redis.pttl(redisKeys.seenSignature(sig));
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await routes.resolveFirstSeen(sig, expiresAt, [u1])).toBeUndefined();
    // Another signature is another call.
    expect(sorted(await routes.resolveFirstSeen(signature(), expiresAt, [u2]))).toEqual({ [nodes[1]]: [`${u2}:phone`] });
  });

  it("beyond 1,000 users (several script calls in one pipeline) answers the same, and still refuses a replay", async () => {
    const users = Array.from({ length: 2_100 }, () => randomUUID());
    const online = [users[0]!, users[999]!, users[1_000]!, users[2_099]!];
    for (const [i, userId] of online.entries()) await routes.addRoute(userId, "d1", nodes[i % 2]!);
    const sig = signature();
    const found = await routes.resolveFirstSeen(sig, Date.now() + 60_000, users);
    expect(sorted(found)).toEqual(sorted(await routes.resolve(users)));
    expect([...found!.values()].flat().map((r) => r.userId).sort()).toEqual([...online].sort());
    expect(await routes.resolveFirstSeen(sig, Date.now() + 60_000, users)).toBeUndefined();
  });
});
