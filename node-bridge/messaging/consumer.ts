// Consuming one node's queue: bounded prefetch (set on the channel by amqp-bus.ts), ack
// only after the push (acks batched per event-loop turn: channel-settler.ts), drop
// duplicates by envelope id, never requeue a poison message.
import type { Channel, ConsumeMessage } from "amqplib";
import type { Logger } from "pino";
import type { Envelope } from "../../protocol/index.js";
import type { NodeStats } from "../stats.js";
import { settlerOf, type ChannelSettler } from "./channel-settler.js";
import { readEnvelope } from "./envelope-reader.js";
import type { EnvelopeHandler } from "./message-bus.js";
import type { RecentIds } from "./recent-ids.js";

export interface ConsumerContext {
  logger: Logger;
  stats: NodeStats;
  seen: RecentIds;
  /** Handlers still running: shutdown waits for them before closing the channel. */
  inFlight: Set<Promise<void>>;
}

export async function startConsumer(
  channel: Channel,
  queue: string,
  handler: EnvelopeHandler,
  context: ConsumerContext,
  /** The broker cancelled this consumer (its queue was deleted): the caller consumes again. */
  onCancelled: () => void,
): Promise<string> {
  const settler = settlerOf(channel, (error) => context.logger.debug({ err: error }, "could not settle a delivery: channel closed"));
  const { consumerTag } = await channel.consume(queue, (message) => {
    if (!message) {
      // Only a broker-initiated cancel (basic.cancel: queue deleted) lands here, never our own.
      context.logger.warn({ queue }, "consumer cancelled by the broker; declaring the queue and consuming again");
      onCancelled();
      return;
    }
    settler.received(message);
    const running = handleMessage(settler, message, handler, context).finally(() => context.inFlight.delete(running));
    context.inFlight.add(running);
  });
  return consumerTag;
}

async function handleMessage(settler: ChannelSettler, message: ConsumeMessage, handler: EnvelopeHandler, context: ConsumerContext) {
  const { logger, stats, seen } = context;
  let envelope: Envelope;
  try {
    envelope = readEnvelope(message.content);
  } catch (error) {
    // Requeueing a message we cannot read would loop forever: drop it, loudly.
    logger.warn({ err: error, routingKey: message.fields.routingKey }, "dropping malformed envelope");
    settler.nack(message, false);
    return;
  }
  if (seen.has(envelope.id)) {
    stats.duplicatesDropped++;
    settler.ack(message);
    return;
  }
  // Marked before the push, not after: with prefetch > 1 a duplicate can arrive while the
  // first copy is still being pushed. A failure unmarks it so the redelivery is pushed.
  seen.add(envelope.id);
  try {
    await handler(envelope);
    settler.ack(message);
  } catch (error) {
    seen.delete(envelope.id);
    // One more try through the broker; after that the devices recover by sync.
    const requeue = !message.fields.redelivered;
    logger.warn({ err: error, envelopeId: envelope.id, traceId: envelope.traceId, requeue }, "envelope handler failed");
    settler.nack(message, requeue);
  }
}
