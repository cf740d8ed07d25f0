// Prometheus metrics of one bridge node (GET /metrics on the internal port; docs/OPERATIONS.md
// lists them). Each node has a Registry of its own, never prom-client's global one: the
// tests run several nodes in one process. The counters NodeStats already keeps (the JSON of
// /internal/stats) are read from it at scrape time, so one count feeds both; the rest
// (histograms, refusals by reason) live here only.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { NodeStats } from "./stats.js";

const PREFIX = "edge_im_bridge_";
/** Seconds: a confirm or a Redis look-up takes about a millisecond; a Worker call tens of them. */
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A counter whose value is read from NodeStats when scraped (reset, then set to the total). */
function mirroredCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<[Partial<Record<L, string>>, number]>,
): Counter<L> {
  return new Counter<L>({
    name: PREFIX + name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

/** "/api/conversations/g:1f2e.../read" -> "/api/conversations/:id/read": a bounded label. */
export function pathLabel(path: string): string {
  return path
    .split("?")[0]!
    .split("/")
    .map((segment) => (segment === "" || /^[a-z-]+$/.test(segment) ? segment : ":id"))
    .join("/");
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly handshakes: Counter<"outcome">;
  readonly handshakeRefusals: Counter<"reason">;
  readonly publishConfirmSeconds: Histogram;
  readonly routeLookupSeconds: Histogram;
  readonly workerCallSeconds: Histogram<"path" | "outcome">;
  readonly workerCallErrors: Counter<"path" | "reason">;
  /** Recipients of a delivery with no route to a live node (offline users, mostly). */
  readonly recipientsUnrouted: Counter;
  /** How many sockets this node holds; set by the gateway (node.ts). */
  socketCount: () => number = () => 0;
  /** Deliveries a second the Worker hands this node (edge-link/delivery-load.ts); set by the internal server. */
  workerDeliveryRate: () => number = () => 0;

  constructor(stats: NodeStats, options: { nodeId?: string } = {}) {
    const registry = this.registry;
    if (options.nodeId) {
      registry.setDefaultLabels({ node: options.nodeId });
      // Process metrics: CPU, memory, GC, and nodejs_eventloop_lag_seconds.
      collectDefaultMetrics({ register: registry });
    }
    const self = this;
    new Gauge({
      name: `${PREFIX}sockets`,
      help: "Socket.IO sockets connected to this node",
      registers: [registry],
      collect() {
        this.set(self.socketCount());
      },
    });
    new Gauge({
      name: `${PREFIX}worker_deliveries_per_second`,
      help: "Deliveries a second the Worker hands this node (/internal/deliver), as counted against COALESCE_ABOVE",
      registers: [registry],
      collect() {
        this.set(self.workerDeliveryRate());
      },
    });
    this.handshakes = new Counter({
      name: `${PREFIX}handshakes_total`,
      help: "Socket.IO handshakes, by outcome (accepted, refused)",
      labelNames: ["outcome"],
      registers: [registry],
    });
    this.handshakeRefusals = new Counter({
      name: `${PREFIX}handshake_refusals_total`,
      help: "Refused Socket.IO handshakes, by reason (the connect_error data.code)",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.publishConfirmSeconds = new Histogram({
      name: `${PREFIX}publish_confirm_seconds`,
      help: "From publishing an envelope to the broker's confirm",
      buckets: FAST_BUCKETS,
      registers: [registry],
    });
    this.routeLookupSeconds = new Histogram({
      name: `${PREFIX}route_lookup_seconds`,
      help: "Route look-up of one delivery's recipients (one Redis script call per 1,000 users)",
      buckets: FAST_BUCKETS,
      registers: [registry],
    });
    this.workerCallSeconds = new Histogram({
      name: `${PREFIX}worker_call_seconds`,
      help: "Calls to the Worker, by path (ids replaced by :id) and outcome (2xx, 4xx, 5xx, network_error)",
      labelNames: ["path", "outcome"],
      buckets: CALL_BUCKETS,
      registers: [registry],
    });
    this.workerCallErrors = new Counter({
      name: `${PREFIX}worker_call_errors_total`,
      help: "Failed calls to the Worker, by path and reason (status_5xx, network: no answer or a timeout)",
      labelNames: ["path", "reason"],
      registers: [registry],
    });
    this.recipientsUnrouted = new Counter({
      name: `${PREFIX}recipients_unrouted_total`,
      help: "Recipients of a delivery with no route to a live node (offline users, or a route miss)",
      registers: [registry],
    });

    const count = (value: number): [Record<string, string>, number][] => [[{}, value]];
    mirroredCounter(registry, "envelopes_published_total", "Envelopes published, by target node", ["target"], () =>
      [...stats.publishedByNode].map(([target, n]) => [{ target }, n]),
    );
    mirroredCounter(registry, "envelopes_consumed_total", "Envelopes consumed, by routing key (this node's id, or edge)", ["target"], () =>
      [...stats.consumedByTarget].map(([target, n]) => [{ target }, n]),
    );
    mirroredCounter(registry, "socket_pushes_total", "Socket.IO emits of pushed events to local sockets", [], () => count(stats.socketPushes));
    mirroredCounter(registry, "envelopes_duplicate_total", "Envelopes dropped as already handled (broker redelivery)", [], () =>
      count(stats.duplicatesDropped),
    );
    mirroredCounter(registry, "publish_failures_total", "Envelopes that failed to publish (broker down)", [], () => count(stats.publishFailures));
    mirroredCounter(registry, "envelopes_unroutable_total", "Envelopes the broker returned: no queue bound to the target", [], () =>
      count(stats.unroutable),
    );
    mirroredCounter(registry, "edge_forwards_total", "Envelopes from the edge queue handed to the Worker, by outcome", ["outcome"], () => [
      [{ outcome: "ok" }, stats.edgeForwarded],
      [{ outcome: "failed" }, stats.edgeForwardFailures],
    ]);
    mirroredCounter(
      registry,
      "route_misses_total",
      "Recipients a look-up found no live route for although online (in the online set, or connected to this node)",
      [],
      () => count(stats.routeMisses),
    );
    mirroredCounter(registry, "edge_loops_dropped_total", "Worker-originated envelopes found on the edge queue and dropped", [], () =>
      count(stats.edgeLoopsDropped),
    );
  }

  /**
   * Times one Worker call; `status` undefined = no answer (network error, timeout). A 4xx is
   * the Worker's answer about the user's request (rate limited, forbidden), not a failed call:
   * only 5xx and no answer count as errors.
   */
  observeWorkerCall(path: string, seconds: number, status: number | undefined): void {
    const label = pathLabel(path);
    const outcome = status === undefined ? "network_error" : `${Math.floor(status / 100)}xx`;
    this.workerCallSeconds.observe({ path: label, outcome }, seconds);
    if (status !== undefined && status < 500) return;
    this.workerCallErrors.inc({ path: label, reason: status === undefined ? "network" : "status_5xx" });
  }

  /** The text exposition format, for GET /metrics. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
