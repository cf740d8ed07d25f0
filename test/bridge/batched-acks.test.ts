// Acks are batched per event-loop turn (node-bridge/messaging/channel-settler.ts), on the real
// broker: a node that dies mid-burst, with one push never finished and acks of the others
// still owed or just sent, loses nothing: every envelope it did not push (and ack) comes
// back to the next consumer of its queue. Also: two consumers of one channel, where one is
// slow, never get a message of the slow one acked by the other's `allUpTo`.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Envelope } from "../../protocol/index.js";
import { AmqpBus } from "../../node-bridge/messaging/amqp-bus.js";
import { NodeStats } from "../../node-bridge/stats.js";
import { eventually } from "../e2e/support/clients.js";
import { uniqueNodeId } from "../e2e/support/nodes.js";

const logger = pino({ level: "silent" });
const envelope = (n: number): Envelope => ({
  v: 1,
  id: `burst-${n}-${randomUUID()}`,
  origin: "test",
  recipients: [{ userId: randomUUID() }],
  event: { type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() },
});

describe.skipIf(inject("servicesMissing"))("batched acks (real broker)", () => {
  const buses: AmqpBus[] = [];
  const open = async (prefetch = 64) => {
    const bus = await AmqpBus.connect({ url: inject("rabbitmqUrl"), prefetch, logger, stats: new NodeStats() });
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    for (const bus of buses) await bus.close();
  });

  it("a consumer that dies mid-burst, one push unfinished, loses no message: the next consumer gets every one it did not push", async () => {
    const nodeId = uniqueNodeId("acks");
    const burst = Array.from({ length: 60 }, (_, n) => envelope(n));
    const hung = new Set([burst[5]!.id, burst[41]!.id]);
    const pushedByFirst = new Set<string>();
    const first = await open();
    // The push of two envelopes never finishes (a socket that never drains, say); the rest are pushed.
    await first.consume(nodeId, (e) => (hung.has(e.id) ? new Promise<void>(() => {}) : (pushedByFirst.add(e.id), Promise.resolve())));
    const publisher = await open();
    await Promise.all(burst.map((e) => publisher.publish(nodeId, e)));
    await eventually(async () => pushedByFirst.size === burst.length - hung.size, "the first consumer pushed all but the hung ones");
    // The acks owed go out at the end of the turn (written before the close below, on the
    // same socket, so the broker applies them first): a few turns of the loop, then the
    // node dies: its connection goes, the broker takes back whatever it had not acked.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    await first.close();

    const pushedBySecond = new Set<string>();
    const second = await open();
    await second.consume(nodeId, async (e) => void pushedBySecond.add(e.id));
    await eventually(async () => [...hung].every((id) => pushedBySecond.has(id)), "the unfinished pushes redelivered to the next consumer");
    // No loss: each envelope was pushed by one of the two (copies are allowed, gaps are not).
    expect(burst.filter((e) => !pushedByFirst.has(e.id) && !pushedBySecond.has(e.id))).toEqual([]);
  });

  it("corks amqplib's socket per multiplexer round (the private hook it wraps is where amqplib 2.3 has it)", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString("utf8")), done()) });
    const bus = await AmqpBus.connect({ url: inject("rabbitmqUrl"), prefetch: 8, logger: pino({ level: "warn" }, sink), stats: new NodeStats() });
    buses.push(bus);
    // Publishing and consuming through the corked socket work (the burst tests above too).
    const nodeId = uniqueNodeId("cork");
    const got: string[] = [];
    await bus.consume(nodeId, async (e) => void got.push(e.id));
    const sent = Array.from({ length: 10 }, (_, n) => envelope(n));
    await Promise.all(sent.map((e) => bus.publish(nodeId, e)));
    await eventually(async () => got.length === sent.length, "the burst consumed");
    expect(lines.filter((line) => line.includes("not coalesced"))).toEqual([]);
  });

  it("a slow handler of one queue holds back no ack of another queue on the same channel, and gets no ack it has not earned", async () => {
    const [slowKey, fastKey] = [uniqueNodeId("slow"), uniqueNodeId("fast")];
    const bus = await open();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowStarted: string[] = [];
    const fastPushed = new Set<string>();
    // Both consumers run on the bus's one consume channel: a `allUpTo` ack of the fast
    // queue's deliveries would cover the slow one's unless the settler stops at it.
    await bus.consume(slowKey, async (e) => {
      slowStarted.push(e.id);
      await released;
    });
    await bus.consume(fastKey, async (e) => void fastPushed.add(e.id));
    const publisher = await open();
    const slow = envelope(0);
    await publisher.publish(slowKey, slow);
    await eventually(async () => slowStarted.length === 1, "the slow push started");
    const fast = Array.from({ length: 20 }, (_, n) => envelope(n + 1));
    await Promise.all(fast.map((e) => publisher.publish(fastKey, e)));
    await eventually(async () => fastPushed.size === fast.length, "the fast queue's pushes, while the slow one runs");
    // The node dies before the slow push ends: the slow envelope must come back.
    await bus.close();
    release();
    const next = await open();
    const again: string[] = [];
    await next.consume(slowKey, async (e) => void again.push(e.id));
    const fastAgain: string[] = [];
    await next.consume(fastKey, async (e) => void fastAgain.push(e.id));
    await eventually(async () => again.includes(slow.id), "the slow envelope redelivered");
  });
});
