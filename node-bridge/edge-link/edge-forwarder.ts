// The edge is one more gateway in the core's eyes: envelopes routed with key `edge`
// (published by any node, in any language, following docs/PROTOCOL.md) are handed to
// the Worker, which pushes them through the recipients' Durable Objects.
import type { Logger } from "pino";
import { EDGE_NODE_ID, WORKER_ORIGIN, type Envelope } from "../../protocol/index.js";
import type { EnvelopeHandler } from "../messaging/message-bus.js";
import type { NodeStats } from "../stats.js";
import type { WorkerClient } from "./worker-client.js";

export function edgeForwarder(worker: WorkerClient, stats: NodeStats, logger: Logger): EnvelopeHandler {
  return async function forwardToEdge(envelope: Envelope): Promise<void> {
    stats.countConsumed(EDGE_NODE_ID);
    if (envelope.origin === WORKER_ORIGIN) {
      // The Worker already pushed this to the edge: forwarding it back would duplicate it.
      stats.edgeLoopsDropped++;
      logger.warn({ envelopeId: envelope.id }, "dropping a Worker-originated envelope routed to edge");
      return;
    }
    const userIds = [...new Set(envelope.recipients.map((r) => r.userId))];
    try {
      await worker.deliverToEdge({
        event: envelope.event,
        userIds,
        ...(envelope.exceptDevice ? { exceptDevice: envelope.exceptDevice } : {}),
      }, envelope.traceId);
      stats.edgeForwarded++;
    } catch (error) {
      stats.edgeForwardFailures++;
      throw error; // the consumer nacks: one redelivery, then sync recovers
    }
  };
}
