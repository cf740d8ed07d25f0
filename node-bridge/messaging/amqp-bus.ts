// The core-mode bus on RabbitMQ. amqplib's opt-in recovery reconnects with backoff and
// calls `setup` after every (re)connect: that is where the topology, the channels and
// the consumers are (re)created, so a broker restart heals without a node restart. A
// channel the broker closes while the connection stays up (a publish to a deleted
// exchange, a failed declare) is re-created on that connection.
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from "amqplib";
import type { Logger } from "pino";
import type { Envelope } from "../../protocol/index.js";
import type { NodeStats } from "../stats.js";
import { settlerOf } from "./channel-settler.js";
import { startConsumer, type ConsumerContext } from "./consumer.js";
import type { EnvelopeHandler, MessageBus } from "./message-bus.js";
import { publishConfirmed } from "./publisher.js";
import { RecentIds } from "./recent-ids.js";
import { assertTopology, queueName } from "./topology.js";

export interface AmqpBusOptions {
  url: string;
  prefetch: number;
  logger: Logger;
  stats: NodeStats;
}

export class AmqpBus implements MessageBus {
  private connection?: RecoveringChannelModel;
  /** The model of the current connection (set by each setup, cleared on disconnect). */
  private model?: ChannelModel;
  private publishChannel?: ConfirmChannel;
  private consumeChannel?: Channel;
  private readonly handlers = new Map<string, EnvelopeHandler>();
  private readonly consumerTags = new Map<string, string>();
  private readonly context: ConsumerContext;
  private draining = false;
  private closed = false;

  private constructor(private readonly options: AmqpBusOptions) {
    this.context = { logger: options.logger, stats: options.stats, seen: new RecentIds(), inFlight: new Set() };
  }

  /** Connects (a few retries at start, then forever once connected). */
  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const bus = new AmqpBus(options);
    const connection = await connect(options.url, {
      // amqplib leaves Nagle's algorithm on. It writes a publish as several frames, so an
      // envelope of a few KB would wait for the broker's delayed ACK (~40 ms) before its
      // last frames leave. Every reconnect reuses these socket options.
      noDelay: true,
      // Tries at about 100, 200, 400, 800 ms, then every second: a node consumes again within
      // about a second of the broker accepting connections. A refused connect costs nothing.
      recovery: {
        initialDelay: 100,
        maxDelay: 1_000,
        initialMaxRetries: 3,
        maxRetries: Infinity,
        setup: (model: ChannelModel) => bus.setup(model),
      },
    });
    connection.on("disconnect", (error: Error) => {
      bus.model = undefined;
      bus.publishChannel = undefined;
      bus.consumeChannel = undefined;
      options.logger.warn({ err: error }, "rabbitmq connection lost; reconnecting");
    });
    connection.on("error", (error: Error) => options.logger.warn({ err: error }, "rabbitmq connection error"));
    bus.connection = connection;
    return bus;
  }

  private async setup(model: ChannelModel): Promise<void> {
    coalesceWrites(model, this.options.logger);
    await this.openPublishChannel(model);
    await this.openConsumeChannel(model);
    this.model = model;
    this.options.logger.info({ routingKeys: [...this.handlers.keys()] }, "rabbitmq topology ready");
  }

  /** The confirm channel for publishing; declares the whole topology on it. */
  private async openPublishChannel(model: ChannelModel): Promise<void> {
    const { logger, stats } = this.options;
    const publishChannel = await model.createConfirmChannel();
    publishChannel.on("error", (error: Error) => logger.warn({ err: error }, "publish channel error"));
    publishChannel.on("return", (message) => {
      // Mandatory publish with no queue bound: the target node vanished since the route look-up.
      stats.unroutable++;
      logger.warn({ routingKey: message.fields.routingKey }, "envelope unroutable: no queue for this node");
    });
    await assertTopology(publishChannel, [...this.handlers.keys()]);
    publishChannel.on("close", () => this.channelClosed(model, publishChannel, () => this.openPublishChannel(model)));
    this.publishChannel = publishChannel;
  }

  /** The channel every consumer of this bus runs on (one per routing key). */
  private async openConsumeChannel(model: ChannelModel): Promise<void> {
    const { logger, prefetch } = this.options;
    const consumeChannel = await model.createChannel();
    consumeChannel.on("error", (error: Error) => logger.warn({ err: error }, "consume channel error"));
    await consumeChannel.prefetch(prefetch);
    this.consumerTags.clear();
    if (!this.draining) {
      for (const [key, handler] of this.handlers) {
        this.consumerTags.set(key, await this.startConsumer(consumeChannel, key, handler));
      }
    }
    consumeChannel.on("close", () => this.channelClosed(model, consumeChannel, () => this.openConsumeChannel(model)));
    this.consumeChannel = consumeChannel;
  }

  /**
   * One of our channels closed. If the connection is still up, the broker closed just this
   * channel (a channel error such as 404 on a deleted exchange): nothing will reconnect, so
   * open it again, retrying with backoff while this connection lasts. If the connection went
   * down, its `disconnect` clears `model` and the reconnect's setup re-creates everything.
   */
  private channelClosed(model: ChannelModel, channel: Channel, reopen: () => Promise<void>): void {
    const isCurrent = () => !this.closed && this.model === model && (this.publishChannel === channel || this.consumeChannel === channel);
    void (async () => {
      // A connection loss closes its channels first: give its `disconnect` a moment to say so.
      for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (!isCurrent()) return;
        try {
          await reopen();
          this.options.logger.info("rabbitmq channel closed by the broker: opened again");
          return;
        } catch (error) {
          this.options.logger.warn({ err: error, retryInMs: delay }, "could not open a rabbitmq channel again");
        }
      }
    })();
  }

  /** Connected, with a channel to publish on (readiness: GET /readyz). */
  get isConnected(): boolean {
    return this.model !== undefined && this.publishChannel !== undefined;
  }

  async publish(routingKey: string, envelope: Envelope): Promise<void> {
    if (!this.publishChannel) throw new Error("rabbitmq is not connected");
    await publishConfirmed(this.publishChannel, routingKey, envelope);
  }

  async consume(routingKey: string, handler: EnvelopeHandler): Promise<void> {
    this.handlers.set(routingKey, handler);
    const channel = this.consumeChannel;
    if (!channel || !this.publishChannel) return; // the next setup starts it
    await assertTopology(this.publishChannel, [routingKey]);
    this.consumerTags.set(routingKey, await this.startConsumer(channel, routingKey, handler));
  }

  private startConsumer(channel: Channel, routingKey: string, handler: EnvelopeHandler): Promise<string> {
    return startConsumer(channel, queueName(routingKey), handler, this.context, () => void this.resume(channel, routingKey, handler));
  }

  /**
   * The broker cancelled a consumer (its queue was deleted while the connection stayed up:
   * no reconnect will come to re-declare it). Declares the topology again and consumes
   * again on the same channel, retrying with backoff. Gives up when the bus drains or the
   * channel is replaced: a reconnect's setup then re-creates everything.
   */
  private async resume(channel: Channel, routingKey: string, handler: EnvelopeHandler): Promise<void> {
    const { logger } = this.options;
    this.consumerTags.delete(routingKey);
    for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
      const model = this.model;
      if (this.draining || !model || this.consumeChannel !== channel || this.handlers.get(routingKey) !== handler) return;
      try {
        // A channel of its own: a failed declare closes the channel it ran on.
        const declare = await model.createChannel();
        declare.on("error", (error: Error) => logger.warn({ err: error }, "declare channel error"));
        try {
          await assertTopology(declare, [routingKey]);
        } finally {
          await declare.close().catch(() => {});
        }
        if (this.draining || this.consumeChannel !== channel) return;
        this.consumerTags.set(routingKey, await this.startConsumer(channel, routingKey, handler));
        logger.info({ routingKey }, "queue declared again after a broker cancel; consuming");
        return;
      } catch (error) {
        logger.warn({ err: error, routingKey, retryInMs: delay }, "could not consume again after a broker cancel");
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
      }
    }
  }

  async drain(): Promise<void> {
    this.draining = true;
    const channel = this.consumeChannel;
    if (channel) {
      for (const tag of this.consumerTags.values()) await channel.cancel(tag).catch(() => {});
    }
    this.consumerTags.clear();
    await Promise.allSettled([...this.context.inFlight]);
    // The acks of the last pushes, now rather than at the end of this turn.
    if (channel) settlerOf(channel, () => {}).flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connection?.close().catch((error: unknown) => this.options.logger.debug({ err: error }, "rabbitmq close"));
  }
}

/**
 * One socket write per round of amqplib's frame multiplexer instead of one per frame.
 * amqplib (lib/mux.js) moves the frames its channels queued (publishes, acks) to the socket
 * once per event-loop turn, writing them one `socket.write` each: with Nagle off (noDelay,
 * above) that is a syscall and a TCP segment per publish and per ack, about a tenth of a
 * busy node's CPU. Corking the socket for the round sends them in one writev. amqplib has
 * no public way to do this, so this wraps a private method of its Connection
 * (`muxer._readIncoming`, as in amqplib 2.3, pinned in package.json): if an upgrade changes
 * it, the connection is left as it is and a warning says so. Test: test/bridge/messaging.test.ts
 * and batched-acks.test.ts run on it.
 */
function coalesceWrites(model: ChannelModel, logger: Logger): void {
  const muxer = (model.connection as unknown as { muxer?: { out?: Partial<NodeJS.WritableStream & { cork(): void; uncork(): void }>; _readIncoming?: () => void } }).muxer;
  const socket = muxer?.out;
  const round = muxer?._readIncoming;
  if (!muxer || typeof round !== "function" || typeof socket?.cork !== "function" || typeof socket.uncork !== "function") {
    logger.warn("amqplib's multiplexer is not as expected: socket writes are not coalesced");
    return;
  }
  muxer._readIncoming = function corkedRound(this: unknown) {
    socket.cork!();
    try {
      round.call(muxer);
    } finally {
      socket.uncork!();
    }
  };
}
