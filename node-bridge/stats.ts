// Counters a node exposes on GET /internal/stats. The tests read them to prove that a
// message crossed the broker once per target node, and operators to spot failures.
// The same counts feed the Prometheus metrics of GET /metrics (metrics.ts).
import { NodeMetrics } from "./metrics.js";

export class NodeStats {
  /** Prometheus metrics; with a node id, also the process's (event-loop lag, memory, GC). */
  readonly metrics: NodeMetrics;

  constructor(options: { nodeId?: string } = {}) {
    this.metrics = new NodeMetrics(this, options);
  }

  /** Envelopes consumed, by routing key (this node's id, or `edge`). */
  readonly consumedByTarget = new Map<string, number>();
  /** Envelopes published, by routing key (= target node id). */
  readonly publishedByNode = new Map<string, number>();
  /** Envelopes taken from this node's queue and pushed to local sockets. */
  consumed = 0;
  /** Envelopes dropped because their id was already handled (broker redelivery). */
  duplicatesDropped = 0;
  /** Socket.IO emits to local devices. */
  socketPushes = 0;
  /** Envelopes from the `edge` queue handed to the Worker, and the ones that failed. */
  edgeForwarded = 0;
  edgeForwardFailures = 0;
  /** Worker-originated envelopes found on the `edge` queue: dropped, the Worker already pushed them. */
  edgeLoopsDropped = 0;
  /** Envelopes that failed to publish (broker down): the devices recover by sync. */
  publishFailures = 0;
  /** Envelopes the broker returned: no queue bound to the target node any more. */
  unroutable = 0;
  /**
   * Recipients a look-up found no live route for although they are online: in the online
   * set (a route lost, or pointing at a dead node not swept yet), or connected to this very
   * node (its route not written again yet after Redis came back empty).
   */
  routeMisses = 0;

  countPublish(nodeId: string): void {
    this.publishedByNode.set(nodeId, (this.publishedByNode.get(nodeId) ?? 0) + 1);
  }

  /** One envelope taken from the queue of routing key `target`. */
  countConsumed(target: string): void {
    this.consumedByTarget.set(target, (this.consumedByTarget.get(target) ?? 0) + 1);
  }

  toJSON() {
    return {
      publishedByNode: Object.fromEntries(this.publishedByNode),
      consumed: this.consumed,
      duplicatesDropped: this.duplicatesDropped,
      socketPushes: this.socketPushes,
      edgeForwarded: this.edgeForwarded,
      edgeForwardFailures: this.edgeForwardFailures,
      edgeLoopsDropped: this.edgeLoopsDropped,
      publishFailures: this.publishFailures,
      unroutable: this.unroutable,
      routeMisses: this.routeMisses,
    };
  }
}
export type NodeStatsJson = ReturnType<NodeStats["toJSON"]>;
