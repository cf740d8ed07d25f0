// The messaging seam: publish an envelope to one node, consume the envelopes routed to
// a key. RabbitMQ in core mode (amqp-bus.ts), an in-process hand-off in embedded mode
// (../embedded/in-process-bus.ts).
import type { Envelope } from "../../protocol/index.js";

/** Resolves once the envelope is pushed; a rejection asks the bus to redeliver once. */
export type EnvelopeHandler = (envelope: Envelope) => Promise<void>;

export interface MessageBus {
  /** One envelope to one node (routing key = node id). Resolves when the broker has confirmed it. */
  publish(routingKey: string, envelope: Envelope): Promise<void>;
  /** Consumes what is routed with this key; several nodes consuming one key share its messages. */
  consume(routingKey: string, handler: EnvelopeHandler): Promise<void>;
  /** Stops taking new envelopes and waits for the ones being handled (graceful shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}
