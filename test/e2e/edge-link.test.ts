// The documented core contract seen from outside: a foreign node that only speaks
// RabbitMQ + Redis (a raw amqplib publisher here) reaches an edge user through routing
// key `edge`; nothing loops back; forged internal calls are refused on both sides.
import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EDGE_NODE_ID, WORKER_ORIGIN, type Envelope } from "../../protocol/index.js";
import { signCall, type SignedCallDirection } from "../../server-auth/signing.js";
import { registerUser } from "./support/api.js";
import { connectCore, connectEdge, eventually, settle, type DeviceClient } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";
import { linkStats } from "./support/stats.js";

/** What a node in another language would write: nothing from our code, only the contract. */
async function publishAsForeignNode(routingKey: string, envelope: Envelope): Promise<void> {
  const connection = await connect(inject("rabbitmqUrl"));
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange("im.deliver", "direct", { durable: true });
    channel.publish("im.deliver", routingKey, Buffer.from(JSON.stringify(envelope)), { contentType: "application/json" });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

const fakeMessage = (conversationId: string, senderId: string) => ({
  id: randomUUID(),
  conversationId,
  seq: 1,
  senderId,
  clientMsgId: "foreign-1",
  kind: "text" as const,
  body: { text: "from a Java node" },
  createdAt: Date.now(),
  recalledAt: null,
});

describe.skipIf(inject("servicesMissing"))("the core contract at the edge", () => {
  let redis: Redis;
  let gina: Awaited<ReturnType<typeof registerUser>>;
  let ginaAtEdge: DeviceClient;

  beforeAll(async () => {
    redis = new Redis(inject("redisUrl"));
    gina = await registerUser("gina");
    ginaAtEdge = await connectEdge(gina.token);
    // Her Durable Object reported her first socket to the bridge: `im:routes:{id}` says edge.
    await eventually(async () => (await redis.hget(`im:routes:${gina.id}`, "d1")) === EDGE_NODE_ID, "edge route in Redis");
  });
  afterAll(async () => {
    ginaAtEdge.close();
    await redis.quit();
  });

  it("a raw amqplib publisher acting as a foreign node reaches an edge user through the `edge` key", async () => {
    // The foreign node looks the user up exactly as docs/PROTOCOL.md says...
    const routes = await redis.hgetall(`im:routes:${gina.id}`);
    expect(routes).toEqual({ d1: EDGE_NODE_ID });
    // ...and publishes one envelope to the node it found.
    const message = fakeMessage(`g:${randomUUID()}`, randomUUID());
    await publishAsForeignNode(EDGE_NODE_ID, {
      v: 1,
      id: randomUUID(),
      origin: "java-node-7",
      recipients: [{ userId: gina.id, deviceIds: ["d1"] }],
      event: { type: "message.new", message },
    });
    await ginaAtEdge.waitForMessage(message.id);
    await settle();
    expect(ginaAtEdge.copiesOf(message.id)).toBe(1);
  });

  it("a Worker-originated envelope found on `edge` is dropped, never pushed twice", async () => {
    const before = await linkStats();
    const message = fakeMessage(`g:${randomUUID()}`, randomUUID());
    await publishAsForeignNode(EDGE_NODE_ID, {
      v: 1,
      id: randomUUID(),
      origin: WORKER_ORIGIN,
      recipients: [{ userId: gina.id }],
      event: { type: "message.new", message },
    });
    await eventually(async () => (await linkStats()).edgeLoopsDropped > before.edgeLoopsDropped, "loop dropped");
    await settle(300);
    expect(ginaAtEdge.copiesOf(message.id)).toBe(0);
  });

  it("going offline at the edge removes the edge route", async () => {
    const henry = await registerUser("henry");
    const henryAtEdge = await connectEdge(henry.token);
    await eventually(async () => (await redis.hget(`im:routes:${henry.id}`, "d1")) === EDGE_NODE_ID, "route written");
    expect(await redis.sismember("im:online", henry.id)).toBe(1);
    henryAtEdge.close();
    await eventually(async () => (await redis.exists(`im:routes:${henry.id}`)) === 0, "route removed");
    expect(await redis.sismember("im:online", henry.id)).toBe(0);
  });
});

describe("forged calls are refused", () => {
  const pool = new NodePool();
  afterAll(() => pool.stopAll());
  const bridgeSecret = () => inject("bridgeSecret");
  const event = { type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() } as const;

  async function post(url: string, body: string, headers: Record<string, string>) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
  }

  /** v2 headers for a POST of `body` to `path` (docs/PROTOCOL.md, 7). */
  const sign = (secret: string, direction: SignedCallDirection, path: string, body: string, now?: number) =>
    signCall(secret, { direction, method: "POST", path, body }, now);

  it("the bridge refuses unsigned, wrongly signed, misdirected and replayed calls, and accepts a signed one", async () => {
    const node = await pool.start("forged", inject("servicesMissing") ? { rabbitmqUrl: undefined, redisUrl: undefined } : {});
    for (const path of ["/internal/deliver", "/internal/presence"]) {
      const direction: SignedCallDirection = path.endsWith("deliver") ? "worker->bridge" : "hub->bridge";
      const body = path.endsWith("deliver") ? JSON.stringify({ event, userIds: [randomUUID()] }) : JSON.stringify({ userId: randomUUID(), deviceIds: ["x"] });
      const url = `${node.internalUrl}${path}`;
      expect((await post(url, body, {})).status).toBe(401);
      expect((await post(url, body, await sign("not-the-secret-at-all-0123456789", direction, path, body))).status).toBe(401);
      const stale = await sign(bridgeSecret(), direction, path, body, Date.now() - 5 * 60_000);
      expect((await post(url, body, stale)).status).toBe(401);
      // A valid signature over another body, path or direction does not carry over.
      expect((await post(url, body, await sign(bridgeSecret(), direction, path, `${body} `))).status).toBe(401);
      expect((await post(url, body, await sign(bridgeSecret(), direction, "/internal/other", body))).status).toBe(401);
      expect((await post(url, body, await sign(bridgeSecret(), "bridge->worker", path, body))).status).toBe(401);
      const signed = await sign(bridgeSecret(), direction, path, body);
      expect((await post(url, body, signed)).status).toBe(200);
      // The same call again is a replay.
      expect((await post(url, body, signed)).status).toBe(401);
    }
  });

  it.skipIf(inject("servicesMissing"))("a call one node took is a replay at every other node of the core (Redis)", async () => {
    const [first, second] = await Promise.all([pool.start("replay-a"), pool.start("replay-b")]);
    const path = "/internal/deliver";
    const body = JSON.stringify({ event, userIds: [randomUUID()] });
    const signed = await sign(bridgeSecret(), "worker->bridge", path, body);
    expect((await post(`${first.internalUrl}${path}`, body, signed)).status).toBe(200);
    const replayed = await post(`${second.internalUrl}${path}`, body, signed);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { error: { message: string } }).error.message).toBe("replayed call");
  });

  it("the Worker refuses a forged, reflected or replayed /internal/deliver", async () => {
    const path = "/internal/deliver";
    const url = `${inject("workerUrl")}${path}`;
    const body = JSON.stringify({ event, userIds: [randomUUID()] });
    expect((await post(url, body, {})).status).toBe(401);
    expect((await post(url, body, await sign("not-the-secret-at-all-0123456789", "bridge->worker", path, body))).status).toBe(401);
    expect((await post(url, body, await sign(bridgeSecret(), "bridge->worker", path, body, Date.now() - 5 * 60_000))).status).toBe(401);
    // A Worker -> bridge deliver captured on the way and sent back to the Worker.
    expect((await post(url, body, await sign(bridgeSecret(), "worker->bridge", path, body))).status).toBe(401);
    const signed = await sign(bridgeSecret(), "bridge->worker", path, body);
    expect((await post(url, body, signed)).status).toBe(200);
    expect((await post(url, body, signed)).status).toBe(401);
  });

  it("a Socket.IO handshake with a bad token gets no socket", async () => {
    const node = await pool.start("handshake", inject("servicesMissing") ? { rabbitmqUrl: undefined, redisUrl: undefined } : {});
    await expect(connectCore(node.socketUrl, "not-a-token")).rejects.toMatchObject({ reason: "auth", code: "unauthorized" });
    const user = await registerUser("tok");
    const forged = user.token.slice(0, -3) + (user.token.endsWith("AAA") ? "BBB" : "AAA");
    await expect(connectCore(node.socketUrl, forged)).rejects.toMatchObject({ reason: "auth", code: "unauthorized" });
  });
});
