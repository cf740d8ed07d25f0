// The batch form of POST /internal/deliver on a real node (RabbitMQ, Redis, Socket.IO
// clients): several deliveries under one signature, each routed and answered as if sent
// alone; a replayed batch refused; one delivery whose publish the broker refuses (a queue
// that rejects publishes) answered 503 beside one that went out; oversized batches refused
// with 413; and on an embedded node, whose replay memory is its own. Signed with
// server-auth/signing.ts (WebCrypto), as the Worker signs.
import { randomUUID } from "node:crypto";
import { connect, type ChannelModel } from "amqplib";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_BATCH_RECIPIENTS, MAX_DELIVERIES_PER_BATCH, type DeliverBatchAnswer, type ServerEvent } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { EXCHANGE, queueName } from "../../node-bridge/messaging/topology.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { signCall } from "../../server-auth/signing.js";
import { connectCore, type DeviceClient } from "../e2e/support/clients.js";
import { NodePool, uniqueNodeId } from "../e2e/support/nodes.js";

const PATH = "/internal/deliver";
const typing = (conversationId = `g:${randomUUID()}`): ServerEvent => ({ type: "typing", conversationId, userId: randomUUID() });

async function signedPost(node: BridgeNode, body: string, headers?: Record<string, string>) {
  const signed = headers ?? (await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path: PATH, body }, Date.now()));
  const response = await fetch(`${node.internalUrl}${PATH}`, { method: "POST", headers: { "Content-Type": "application/json", ...signed }, body });
  return { status: response.status, body: (await response.json()) as DeliverBatchAnswer & { error?: { code: string; message: string } }, headers: signed };
}

describe.skipIf(inject("servicesMissing"))("POST /internal/deliver, batch form", () => {
  const pool = new NodePool();
  const clients: DeviceClient[] = [];
  let node: BridgeNode;
  let other: BridgeNode;

  /** A user with one device connected to `on`. */
  async function online(on: BridgeNode): Promise<{ userId: string; client: DeviceClient }> {
    const userId = randomUUID();
    const token = await signAccessToken(inject("authSecret"), { userId, deviceId: "d1", sessionId: randomUUID() }, 600);
    const client = await connectCore(on.socketUrl, token);
    clients.push(client);
    return { userId, client };
  }

  beforeAll(async () => {
    // No Worker: handshakes with a valid token are accepted without the session check.
    node = await pool.start("batch", { workerUrl: "http://127.0.0.1:9", logLevel: "error" });
    other = await pool.start("batch-other", { workerUrl: "http://127.0.0.1:9", logLevel: "error" });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await pool.stopAll();
  });

  it("routes each delivery of a batch to its own recipients, on this node and another, and answers one result each", async () => {
    const [alice, bob] = [await online(node), await online(other)];
    const [toAlice, toBob, toBoth] = [typing(), typing(), typing()];
    const body = JSON.stringify({
      deliveries: [
        { event: toAlice, userIds: [alice.userId] },
        { event: toBob, userIds: [bob.userId, randomUUID()] },
        { event: toBoth, userIds: [alice.userId, bob.userId] },
      ],
    });
    const answer = await signedPost(node, body);
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(true);
    expect(answer.body.results.map((r) => [r.status, r.nodes.sort(), r.failedNodes])).toEqual([
      [200, [node.nodeId], []],
      [200, [other.nodeId], []],
      [200, [node.nodeId, other.nodeId].sort(), []],
    ]);
    const conversationOf = (e: ServerEvent) => (e as Extract<ServerEvent, { type: "typing" }>).conversationId;
    await alice.client.waitFor((e) => e.type === "typing" && conversationOf(e) === conversationOf(toAlice), "alice's own event");
    await alice.client.waitFor((e) => e.type === "typing" && conversationOf(e) === conversationOf(toBoth), "the shared event at alice");
    await bob.client.waitFor((e) => e.type === "typing" && conversationOf(e) === conversationOf(toBob), "bob's own event");
    await bob.client.waitFor((e) => e.type === "typing" && conversationOf(e) === conversationOf(toBoth), "the shared event at bob");
    // Nobody got another's delivery: alice has exactly her two, bob his two.
    expect(alice.client.events.filter((e) => e.type === "typing").map(conversationOf).sort()).toEqual([conversationOf(toAlice), conversationOf(toBoth)].sort());
    expect(bob.client.events.filter((e) => e.type === "typing").map(conversationOf).sort()).toEqual([conversationOf(toBob), conversationOf(toBoth)].sort());
  });

  it("refuses a replayed batch, at this node and at another node of the core", async () => {
    const body = JSON.stringify({ deliveries: [{ event: typing(), userIds: [randomUUID()] }] });
    const first = await signedPost(node, body);
    expect(first.status).toBe(200);
    for (const target of [node, other]) {
      const again = await signedPost(target, body, first.headers);
      expect(again.status).toBe(401);
      expect(again.body.error?.message).toBe("replayed call");
    }
  });

  describe("a delivery whose publish the broker refuses", () => {
    const fullNode = uniqueNodeId("full");
    let amqp: ChannelModel;
    let redis: Redis;
    let routes: RedisRouteTable;

    beforeAll(async () => {
      // A live node whose queue refuses every publish (max length 0, reject-publish): the
      // broker nacks the publish, as it would for a node whose queue is over its limit.
      amqp = await connect(inject("rabbitmqUrl"));
      const channel = await amqp.createChannel();
      await channel.assertQueue(queueName(fullNode), { durable: true, arguments: { "x-expires": 60_000, "x-max-length": 0, "x-overflow": "reject-publish" } });
      await channel.bindQueue(queueName(fullNode), EXCHANGE, fullNode);
      await channel.close();
      redis = new Redis(inject("redisUrl"));
      routes = new RedisRouteTable(redis);
      await routes.heartbeat(fullNode, 60_000);
    });
    afterAll(async () => {
      await routes.removeNode(fullNode);
      const channel = await amqp.createChannel();
      await channel.deleteQueue(queueName(fullNode));
      await amqp.close();
      await routes.close();
    });

    it("answers 503 for that delivery and 200 for the others, the whole call 503 with every result", async () => {
      const carol = await online(node);
      const stuck = randomUUID();
      await routes.addRoute(stuck, "d1", fullNode);
      const event = typing();
      const body = JSON.stringify({
        deliveries: [
          { event, userIds: [carol.userId] },
          { event: typing(), userIds: [stuck] },
        ],
      });
      const answer = await signedPost(node, body);
      expect(answer.status).toBe(503);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.results[0]).toEqual({ status: 200, ok: true, nodes: [node.nodeId], failedNodes: [] });
      expect(answer.body.results[1]).toMatchObject({ status: 503, ok: false, nodes: [], failedNodes: [fullNode], error: { code: "unavailable" } });
      await carol.client.waitFor((e) => e.type === "typing" && e.conversationId === (event as { conversationId: string }).conversationId, "carol's event");
    });
  });

  it(`refuses a batch of more than ${MAX_DELIVERIES_PER_BATCH} deliveries, or of more than ${MAX_BATCH_RECIPIENTS} recipients in all, with 413`, async () => {
    const tooMany = JSON.stringify({ deliveries: Array.from({ length: MAX_DELIVERIES_PER_BATCH + 1 }, () => ({ event: typing(), userIds: [randomUUID()] })) });
    const refused = await signedPost(node, tooMany);
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({ code: "batch_too_large", message: `a batch holds at most ${MAX_DELIVERIES_PER_BATCH} deliveries (got ${MAX_DELIVERIES_PER_BATCH + 1})` });

    const users = (n: number) => Array.from({ length: n }, () => randomUUID());
    const tooManyRecipients = JSON.stringify({ deliveries: [{ event: typing(), userIds: users(6_000) }, { event: typing(), userIds: users(6_000) }] });
    const refusedRecipients = await signedPost(node, tooManyRecipients);
    expect(refusedRecipients.status).toBe(413);
    expect(refusedRecipients.body.error?.code).toBe("batch_too_large");

    // An empty batch is a malformed body, not a batch.
    expect((await signedPost(node, JSON.stringify({ deliveries: [] }))).status).toBe(400);
  });
});

describe("POST /internal/deliver, batch form, embedded node (no RabbitMQ, no Redis)", () => {
  const pool = new NodePool();
  const clients: DeviceClient[] = [];
  afterAll(async () => {
    for (const client of clients) client.close();
    await pool.stopAll();
  });

  it("routes each delivery in-process and refuses the replay from its own memory", async () => {
    const node = await pool.start("batch-embedded", { rabbitmqUrl: undefined, redisUrl: undefined, workerUrl: "http://127.0.0.1:9", logLevel: "error" });
    const users = [randomUUID(), randomUUID()];
    for (const userId of users) {
      const token = await signAccessToken(inject("authSecret"), { userId, deviceId: "d1", sessionId: randomUUID() }, 600);
      clients.push(await connectCore(node.socketUrl, token));
    }
    const events = [typing(), typing()];
    const body = JSON.stringify({ deliveries: users.map((userId, i) => ({ event: events[i], userIds: [userId] })) });
    const answer = await signedPost(node, body);
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r) => r.status)).toEqual([200, 200]);
    for (const [i, client] of clients.entries()) {
      const conversationId = (events[i] as { conversationId: string }).conversationId;
      await client.waitFor((e) => e.type === "typing" && e.conversationId === conversationId, `delivery ${i}`);
    }
    const again = await signedPost(node, body, answer.headers);
    expect(again.status).toBe(401);
    expect(again.body.error?.message).toBe("replayed call");
  });
});
