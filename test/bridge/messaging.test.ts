// Publisher, consumer and dispatcher against the real RabbitMQ (and Redis for routes):
// confirms, ack after the handler, dedupe by envelope id, poison messages dropped, one
// redelivery after a failure, no Nagle stall, and ONE publish per target node (none to
// a node whose only device is the excluded sending device).
import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Envelope, ServerEvent } from "../../protocol/index.js";
import { EDGE_NODE_ID, WORKER_ORIGIN } from "../../protocol/index.js";
import { AmqpBus } from "../../node-bridge/messaging/amqp-bus.js";
import { Dispatcher } from "../../node-bridge/messaging/dispatcher.js";
import { EXCHANGE, queueName } from "../../node-bridge/messaging/topology.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { NodeStats } from "../../node-bridge/stats.js";
import { eventually, settle } from "../e2e/support/clients.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

const logger = pino({ level: "silent" });
const typing = (): ServerEvent => ({ type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() });
const envelope = (over: Partial<Envelope> = {}): Envelope => ({
  v: 1,
  id: randomUUID(),
  origin: "test",
  recipients: [{ userId: randomUUID() }],
  event: typing(),
  ...over,
});

describe.skipIf(inject("servicesMissing"))("RabbitMQ bus (real broker)", () => {
  const buses: AmqpBus[] = [];
  const open = async (stats = new NodeStats()) => {
    const bus = await AmqpBus.connect({ url: inject("rabbitmqUrl"), prefetch: 8, logger, stats });
    buses.push(bus);
    return bus;
  };
  /** A consumer on a fresh node queue that records what it gets; `fail` makes the handler throw. */
  const consumer = async (fail: (e: Envelope, attempt: number) => boolean = () => false) => {
    const nodeId = uniqueNodeId("q");
    const stats = new NodeStats();
    const bus = await open(stats);
    const received: Envelope[] = [];
    const attempts = new Map<string, number>();
    await bus.consume(nodeId, async (e) => {
      const attempt = (attempts.get(e.id) ?? 0) + 1;
      attempts.set(e.id, attempt);
      if (fail(e, attempt)) throw new Error("push failed");
      received.push(e);
    });
    return { nodeId, stats, bus, received, attempts };
  };
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  it("publishes on a confirm channel to the node's queue; the consumer gets it once", async () => {
    const target = await consumer();
    const publisher = await open();
    const sent = envelope();
    await publisher.publish(target.nodeId, sent);
    await eventually(async () => target.received.length === 1, "delivery");
    expect(target.received[0]).toEqual(sent);
  });

  it("drops a redelivered envelope id (dedupe) and a malformed message (no requeue loop)", async () => {
    const target = await consumer();
    const publisher = await open();
    const sent = envelope();
    await publisher.publish(target.nodeId, sent);
    await publisher.publish(target.nodeId, sent); // same id, as after a lost ack
    // A message that is not an envelope, straight through amqplib.
    const raw = await connect(inject("rabbitmqUrl"));
    const channel = await raw.createConfirmChannel();
    channel.publish(EXCHANGE, target.nodeId, Buffer.from("{not json"));
    await channel.waitForConfirms();
    await raw.close();
    const after = envelope();
    await publisher.publish(target.nodeId, after);
    await eventually(async () => target.received.length === 2, "both good envelopes");
    expect(target.received.map((e) => e.id)).toEqual([sent.id, after.id]);
    await eventually(async () => target.stats.duplicatesDropped === 1, "duplicate counted");
  });

  it("a consumer the broker cancels (its queue deleted) declares the queue again and keeps consuming", async () => {
    const target = await consumer();
    const publisher = await open();
    const first = envelope();
    await publisher.publish(target.nodeId, first);
    await eventually(async () => target.received.length === 1, "first delivery");

    // Someone (an operator, a policy) deletes the node's queue while the connection stays up.
    const raw = await connect(inject("rabbitmqUrl"));
    try {
      const admin = await raw.createChannel();
      await admin.deleteQueue(queueName(target.nodeId));
      /** The queue exists again, with our consumer on it (a missing queue closes the checking channel: one per check). */
      const queueBack = async () => {
        const check = await raw.createChannel();
        check.on("error", () => {});
        try {
          const { consumerCount } = await check.checkQueue(queueName(target.nodeId));
          await check.close();
          return consumerCount === 1;
        } catch {
          return false;
        }
      };
      await eventually(queueBack, "queue declared and consumed again", 5_000);

      const second = envelope();
      await publisher.publish(target.nodeId, second);
      await eventually(async () => target.received.length === 2, "delivery after the cancel");
      expect(target.received.map((e) => e.id)).toEqual([first.id, second.id]);
    } finally {
      await raw.close();
    }
  });

  it("a failed push is redelivered once, then handled", async () => {
    const target = await consumer((_, attempt) => attempt === 1);
    const publisher = await open();
    const sent = envelope();
    await publisher.publish(target.nodeId, sent);
    await eventually(async () => target.received.length === 1, "redelivery");
    expect(target.attempts.get(sent.id)).toBe(2);
  });

  it("an envelope of several KB, one at a time, is not held back by Nagle's algorithm (noDelay)", async () => {
    // amqplib writes a publish as several frames; with Nagle on (amqplib's default) the
    // last ones of a ~8 KB envelope wait for the broker's delayed ACK: every round trip
    // below took 42-46 ms on loopback before the bus set noDelay, about 1 ms after.
    const nodeId = uniqueNodeId("q");
    let arrived = () => {};
    await (await open()).consume(nodeId, async () => arrived());
    const publisher = await open();
    const recipients = Array.from({ length: 100 }, () => ({ userId: randomUUID(), deviceIds: ["d1"] }));
    const roundTrips: number[] = [];
    for (let i = 0; i < 9; i++) {
      const delivered = new Promise<void>((resolve) => (arrived = resolve));
      const started = performance.now();
      await publisher.publish(nodeId, envelope({ recipients }));
      await delivered;
      roundTrips.push(performance.now() - started);
    }
    expect(Buffer.byteLength(JSON.stringify(envelope({ recipients })))).toBeGreaterThan(7_000);
    const median = roundTrips.sort((x, y) => x - y)[4]!;
    expect(median, `round trips ms: ${roundTrips.map((ms) => ms.toFixed(1)).join(" ")}`).toBeLessThan(20);
  });

  it("the dispatcher publishes ONE envelope per live node, with only that node's recipients", async () => {
    const redis = new Redis(inject("redisUrl"));
    const routes = new RedisRouteTable(redis);
    const [a, b, idle] = await Promise.all([consumer(), consumer(), consumer()]);
    for (const node of [a, b, idle]) await routes.heartbeat(node.nodeId, 10_000);
    const users = Array.from({ length: 6 }, () => randomUUID());
    // users 0-2 on a, users 3-4 on b (4 also at the edge), user 5 offline; nobody on `idle`.
    for (const u of users.slice(0, 3)) await routes.addRoute(u, "d1", a.nodeId);
    await routes.addRoute(users[3]!, "d1", b.nodeId);
    await routes.addRoute(users[4]!, "d1", b.nodeId);
    await routes.addRoute(users[4]!, "web", EDGE_NODE_ID);

    const stats = new NodeStats();
    const dispatcher = new Dispatcher(routes, await open(stats), stats, logger);
    const event = typing();
    const result = await dispatcher.dispatch({ event, userIds: users, origin: WORKER_ORIGIN });

    // Worker-originated: never routed to `edge` (the Worker pushed to the edge itself).
    expect(new Set(result.nodes)).toEqual(new Set([a.nodeId, b.nodeId]));
    expect(Object.fromEntries(stats.publishedByNode)).toEqual({ [a.nodeId]: 1, [b.nodeId]: 1 });
    await eventually(async () => a.received.length === 1 && b.received.length === 1, "one envelope per node");
    expect(a.received[0]!.recipients.map((r) => r.userId).sort()).toEqual(users.slice(0, 3).sort());
    expect(b.received[0]!.recipients).toEqual(expect.arrayContaining([{ userId: users[3], deviceIds: ["d1"] }, { userId: users[4], deviceIds: ["d1"] }]));
    expect(a.received[0]!.origin).toBe(WORKER_ORIGIN);
    expect(idle.received).toHaveLength(0);

    // A node's own origin (not the Worker) does route to `edge`.
    const fromNode = await dispatcher.dispatch({ event, userIds: [users[4]!], origin: a.nodeId });
    expect(new Set(fromNode.nodes)).toEqual(new Set([b.nodeId, EDGE_NODE_ID]));

    for (const node of [a, b, idle]) await routes.removeNode(node.nodeId);
    await routes.setDevices(users[4]!, EDGE_NODE_ID, []);
    await routes.close();
  });

  it("the sending device is left out before grouping: no envelope to a node that holds only it", async () => {
    const routes = new RedisRouteTable(new Redis(inject("redisUrl")));
    const [a, b] = await Promise.all([consumer(), consumer()]);
    for (const node of [a, b]) await routes.heartbeat(node.nodeId, 10_000);
    const [sender, peer, multi] = [randomUUID(), randomUUID(), randomUUID()];
    await routes.addRoute(sender, "phone", a.nodeId); // the sender's only device
    await routes.addRoute(peer, "d1", b.nodeId);
    await routes.addRoute(multi, "phone", a.nodeId); // sends from here...
    await routes.addRoute(multi, "laptop", a.nodeId); // ...and must still get its own message here
    await routes.addRoute(multi, "web", EDGE_NODE_ID);
    const stats = new NodeStats();
    const dispatcher = new Dispatcher(routes, await open(stats), stats, logger);

    // 1:1 as the Worker hands it (sender included for multi-device sync): only the peer's node.
    const oneToOne = await dispatcher.dispatch({
      event: typing(),
      userIds: [sender, peer],
      exceptDevice: { userId: sender, deviceId: "phone" },
      origin: WORKER_ORIGIN,
    });
    expect(oneToOne).toEqual({ nodes: [b.nodeId], failedNodes: [] });
    expect(Object.fromEntries(stats.publishedByNode)).toEqual({ [b.nodeId]: 1 });
    await eventually(async () => b.received.length === 1, "the peer's envelope");
    // The sender is on no envelope, so none needs `exceptDevice`.
    expect(b.received[0]).toMatchObject({ recipients: [{ userId: peer, deviceIds: ["d1"] }] });
    expect(b.received[0]!.exceptDevice).toBeUndefined();

    // The sending device's node also holds another device of the sender: one envelope,
    // listing that device only, and still carrying `exceptDevice` for consumers that
    // ignore `deviceIds` (from a node's origin it goes to `edge` too, where the Worker
    // pushes to all of the user's edge devices but the excluded one).
    const except = { userId: multi, deviceId: "phone" };
    const own = await dispatcher.dispatch({ event: typing(), userIds: [multi, peer], exceptDevice: except, origin: b.nodeId });
    expect(new Set(own.nodes)).toEqual(new Set([a.nodeId, b.nodeId, EDGE_NODE_ID]));
    await eventually(async () => a.received.length === 1 && b.received.length === 2, "one envelope per node");
    expect(a.received[0]).toMatchObject({ recipients: [{ userId: multi, deviceIds: ["laptop"] }], exceptDevice: except });
    expect(b.received[1]!.exceptDevice).toBeUndefined();
    await settle(200);
    expect(a.received).toHaveLength(1);

    for (const node of [a, b]) await routes.removeNode(node.nodeId);
    await routes.setDevices(multi, EDGE_NODE_ID, []);
    await routes.close();
  });
});
