// Embedded mode: one node, so "publishing to a node" is handing the envelope to this
// process's own handler. No broker, no network, same seam as the RabbitMQ bus.
import type { Logger } from "pino";
import type { Envelope } from "../../protocol/index.js";
import type { EnvelopeHandler, MessageBus } from "../messaging/message-bus.js";

export class InProcessBus implements MessageBus {
  private readonly handlers = new Map<string, EnvelopeHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private draining = false;

  constructor(private readonly logger: Logger) {}

  async publish(routingKey: string, envelope: Envelope): Promise<void> {
    const handler = this.handlers.get(routingKey);
    if (!handler || this.draining) {
      // Like a broker with no queue bound: the envelope goes nowhere (sync recovers).
      this.logger.warn({ routingKey }, "no consumer for routing key in embedded mode");
      return;
    }
    // Hand off on the next tick, as a broker would: the publisher never runs the push.
    const running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => handler(envelope))
      .catch((error: unknown) => this.logger.warn({ err: error, routingKey }, "envelope handler failed"))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  async consume(routingKey: string, handler: EnvelopeHandler): Promise<void> {
    this.handlers.set(routingKey, handler);
  }

  async drain(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
