// The baseline the design beats: broadcast, as seed 003 and the Socket.IO Redis adapter
// do it. Minimal amqplib: one fanout exchange, one queue per node bound to it; every
// chat message is published once and the broker copies it to every node, which filters
// for its own users. No route look-up at all. The payload carries what the Worker hands
// the bridge (the whole recipient list) in the project's envelope, and each node checks
// it with the same schema as the project's consumer, so only the routing differs.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { connect, type ChannelModel } from "amqplib";
import { Envelope, WORKER_ORIGIN } from "../../protocol/index.js";
import type { ChatDelivery, DeliveryTracker, Scenario } from "./scenario.js";
import type { RoutingVariant, ServiceUrls } from "./variant.js";

export async function startBroadcast(scenario: Scenario, tracker: DeliveryTracker, urls: ServiceUrls): Promise<RoutingVariant> {
  const exchange = `bench.broadcast.${randomUUID().slice(0, 8)}`;
  const connections: ChannelModel[] = [];
  const nodes = scenario.config.nodes;

  for (let k = 0; k < nodes; k++) {
    // One connection per node, as separate gateway processes would have.
    const connection = await connect(urls.rabbitmq, { noDelay: true });
    connections.push(connection);
    const channel = await connection.createChannel();
    await channel.prefetch(64);
    await channel.assertExchange(exchange, "fanout", { durable: false, autoDelete: true });
    const { queue } = await channel.assertQueue("", { exclusive: true });
    await channel.bindQueue(queue, exchange, "");
    const local = scenario.localDevices(k);
    await channel.consume(queue, (message) => {
      if (!message) return;
      const envelope = Envelope.parse(JSON.parse(message.content.toString("utf8")));
      let pushed = 0;
      for (const { userId } of envelope.recipients) {
        for (const deviceId of local.get(userId) ?? []) {
          const isSender = envelope.exceptDevice?.userId === userId && envelope.exceptDevice.deviceId === deviceId;
          if (!isSender) pushed++;
        }
      }
      channel.ack(message);
      if (envelope.event.type === "message.new") tracker.handled(envelope.event.message.id, pushed);
    });
  }

  const publisher = await connect(urls.rabbitmq, { noDelay: true });
  connections.push(publisher);
  const channel = await publisher.createConfirmChannel();
  let publishes = 0;
  let bytes = 0;
  let measureBytes = true;

  return {
    async send(delivery: ChatDelivery) {
      const envelope: Envelope = {
        v: 1,
        id: randomUUID(),
        origin: WORKER_ORIGIN,
        recipients: delivery.userIds.map((userId) => ({ userId })),
        exceptDevice: delivery.exceptDevice,
        event: delivery.event,
      };
      const content = Buffer.from(JSON.stringify(envelope));
      publishes++;
      if (measureBytes) bytes += content.length * nodes;
      let accepted = true;
      const confirmed = new Promise<void>((resolve, reject) => {
        accepted = channel.publish(exchange, "", content, { contentType: "application/json", messageId: envelope.id, persistent: false }, (error: unknown) =>
          error ? reject(new Error(String(error))) : resolve(),
        );
      });
      if (!accepted) await once(channel, "drain");
      await confirmed;
    },
    counters: () => ({ publishes, queueDeliveries: publishes * nodes, bytes }),
    stopMeasuringBytes: () => (measureBytes = false),
    async close() {
      for (const connection of connections.reverse()) await connection.close();
    },
  };
}
