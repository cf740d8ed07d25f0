// The project's routing, built from the bridge's own modules exactly as node.ts wires a
// core-mode node: RedisRouteTable (routes of every user, liveness of every node), one
// AmqpBus per gateway node consuming its own queue, and a Dispatcher on its own AmqpBus
// that looks the recipients up and publishes one envelope per target node.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { WORKER_ORIGIN, type Envelope } from "../../protocol/index.js";
import { AmqpBus } from "../../node-bridge/messaging/amqp-bus.js";
import { Dispatcher } from "../../node-bridge/messaging/dispatcher.js";
import type { EnvelopeHandler, MessageBus } from "../../node-bridge/messaging/message-bus.js";
import { RedisRouteTable } from "../../node-bridge/routing/redis-route-table.js";
import { NodeStats } from "../../node-bridge/stats.js";
import { DEVICE, type ChatDelivery, type DeliveryTracker, type Scenario } from "./scenario.js";
import type { RoutingVariant, ServiceUrls } from "./variant.js";

const logger = pino({ level: "silent" });

/** Counts what the dispatcher hands the broker; sizes only while `measureBytes` is on. */
class CountingBus implements MessageBus {
  publishes = 0;
  bytes = 0;
  measureBytes = true;
  constructor(private readonly inner: MessageBus) {}

  async publish(routingKey: string, envelope: Envelope): Promise<void> {
    this.publishes++;
    if (this.measureBytes) this.bytes += Buffer.byteLength(JSON.stringify(envelope));
    await this.inner.publish(routingKey, envelope);
  }
  consume(routingKey: string, handler: EnvelopeHandler): Promise<void> {
    return this.inner.consume(routingKey, handler);
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What a gateway node's push does with an envelope: its listed devices, minus the sender's. */
function pushedDevices(envelope: Envelope, local: Map<string, string[]>): number {
  let pushed = 0;
  for (const { userId, deviceIds } of envelope.recipients) {
    if (!local.has(userId)) continue;
    for (const deviceId of deviceIds ?? local.get(userId)!) {
      const isSender = envelope.exceptDevice?.userId === userId && envelope.exceptDevice.deviceId === deviceId;
      if (!isSender) pushed++;
    }
  }
  return pushed;
}

export async function startTargeted(scenario: Scenario, tracker: DeliveryTracker, urls: ServiceUrls): Promise<RoutingVariant> {
  const routes = new RedisRouteTable(new Redis(urls.redis));
  const run = randomUUID().slice(0, 8);
  const nodeIds = Array.from({ length: scenario.config.nodes }, (_, k) => `bench-${run}-n${k}`);
  const buses: AmqpBus[] = [];

  for (const [k, nodeId] of nodeIds.entries()) {
    const bus = await AmqpBus.connect({ url: urls.rabbitmq, prefetch: 64, logger, stats: new NodeStats() });
    buses.push(bus);
    await routes.heartbeat(nodeId, 60_000);
    const local = scenario.localDevices(k);
    await bus.consume(nodeId, async (envelope) => {
      if (envelope.event.type !== "message.new") return;
      tracker.handled(envelope.event.message.id, pushedDevices(envelope, local));
    });
  }
  await Promise.all(scenario.userIds.map((userId, i) => routes.addRoute(userId, DEVICE, nodeIds[scenario.nodeOf(i)]!)));

  const publisherBus = await AmqpBus.connect({ url: urls.rabbitmq, prefetch: 64, logger, stats: new NodeStats() });
  buses.push(publisherBus);
  const counting = new CountingBus(publisherBus);
  const dispatcher = new Dispatcher(routes, counting, new NodeStats(), logger);

  return {
    async send(delivery: ChatDelivery) {
      const { failedNodes } = await dispatcher.dispatch({
        event: delivery.event,
        userIds: delivery.userIds,
        exceptDevice: delivery.exceptDevice,
        origin: WORKER_ORIGIN,
      });
      if (failedNodes.length > 0) throw new Error(`publish failed to ${failedNodes.join(", ")}`);
    },
    counters: () => ({ publishes: counting.publishes, queueDeliveries: counting.publishes, bytes: counting.bytes }),
    stopMeasuringBytes: () => (counting.measureBytes = false),
    async close() {
      for (const bus of buses) await bus.drain();
      for (const nodeId of nodeIds) await routes.removeNode(nodeId);
      for (const bus of buses) await bus.close();
      await routes.close();
    },
  };
}
