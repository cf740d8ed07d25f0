// The whole RabbitMQ topology of the core contract, in one function that re-runs on
// every (re)connect: asserting is idempotent, so a restarted broker gets it back.
// A queue re-declared with other arguments fails with PRECONDITION_FAILED (406), so
// these values are part of the contract (docs/PROTOCOL.md), not tunables.
import type { Channel } from "amqplib";

/** Durable direct exchange: routing key = target node id. */
export const EXCHANGE = "im.deliver";
export const EXCHANGE_TYPE = "direct";

/** One queue per routing key (node id, or `edge`). */
export const queueName = (routingKey: string) => `im.node.${routingKey}`;

/**
 * The broker deletes a queue nobody has consumed for this long: a node that died does
 * not leave a queue filling up forever. Its pending pushes are lost, which is fine:
 * every message is stored, and devices that reconnect elsewhere sync.
 */
export const QUEUE_EXPIRES_MS = 60_000;

export const queueArguments = { "x-expires": QUEUE_EXPIRES_MS } as const;

export async function assertTopology(channel: Channel, routingKeys: readonly string[]): Promise<void> {
  await channel.assertExchange(EXCHANGE, EXCHANGE_TYPE, { durable: true });
  for (const key of routingKeys) {
    const queue = queueName(key);
    await channel.assertQueue(queue, { durable: true, arguments: queueArguments });
    await channel.bindQueue(queue, EXCHANGE, key);
  }
}
