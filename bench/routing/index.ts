// Targeted routing (the project's) against broadcast (the baseline), scenario by
// scenario. Each variant runs in a child process of its own (child.ts) so that peak RSS
// and CPU time are that variant's alone; the broker and Redis are the machine's.
import { fileURLToPath } from "node:url";
import { runJsonChild } from "../proc.js";
import { renderTable, type Row } from "../report.js";
import type { RoutingResult, VariantName } from "./child.js";
import type { ScenarioConfig } from "./scenario.js";
import type { ServiceUrls } from "./variant.js";

export interface RoutingScenario {
  title: string;
  config: ScenarioConfig;
}

const common = { users: 300, messages: 2_000, warmup: 200, window: 32 } as const;

export const ROUTING_SCENARIOS: RoutingScenario[] = [
  { title: "1:1 chat, K=3 nodes, 300 users", config: { name: "direct", nodes: 3, latencyMessages: 300, ...common } },
  { title: "group of 300 members, K=3 nodes", config: { name: "group", nodes: 3, latencyMessages: 100, ...common } },
  // The same 1:1 traffic on more nodes: broadcast's cost grows with K, targeted's does not.
  { title: "1:1 chat, K=8 nodes, 300 users", config: { name: "direct", nodes: 8, latencyMessages: 200, ...common } },
];

/** Each variant runs this many times, alternating (T B T B): the machine's noise hits both alike. */
export const ROUTING_REPEATS = 2;

export interface RoutingComparison {
  title: string;
  /** The run of each variant with the highest throughput (best of ROUTING_REPEATS). */
  targeted: RoutingResult;
  broadcast: RoutingResult;
  /** msgs/s of every run, in order, to show the spread. */
  runs: { targeted: number[]; broadcast: number[] };
}

const childScript = fileURLToPath(new URL("./child.ts", import.meta.url));

function runChild(variant: VariantName, config: ScenarioConfig, urls: ServiceUrls): Promise<RoutingResult> {
  const env = { RABBITMQ_URL: urls.rabbitmq, REDIS_URL: urls.redis };
  return runJsonChild<RoutingResult>(childScript, [variant, JSON.stringify(config)], env, `routing run ${variant}/${config.name} (K=${config.nodes})`);
}

export async function runRoutingBench(urls: ServiceUrls, log: (line: string) => void): Promise<RoutingComparison[]> {
  const comparisons: RoutingComparison[] = [];
  for (const { title, config } of ROUTING_SCENARIOS) {
    log(`  ${title}: ${config.messages} messages (${config.window} in flight), then ${config.latencyMessages} one at a time; best of ${ROUTING_REPEATS}`);
    const results: Record<VariantName, RoutingResult[]> = { targeted: [], broadcast: [] };
    for (let round = 0; round < ROUTING_REPEATS; round++) {
      for (const variant of ["targeted", "broadcast"] as const) results[variant].push(await runChild(variant, config, urls));
    }
    const best = (runs: RoutingResult[]) => runs.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
    const throughputs = (runs: RoutingResult[]) => runs.map((r) => Math.round(r.messagesPerSecond));
    comparisons.push({
      title,
      targeted: best(results.targeted),
      broadcast: best(results.broadcast),
      runs: { targeted: throughputs(results.targeted), broadcast: throughputs(results.broadcast) },
    });
  }
  return comparisons;
}

export function routingTable({ title, targeted: t, broadcast: b, runs }: RoutingComparison): string {
  const k = t.scenario.nodes;
  const rows: Row[] = [
    { metric: "broker publishes / chat msg", current: t.publishesPerMessage, reference: b.publishesPerMessage, better: "lower" },
    { metric: "queue deliveries / chat msg", current: t.deliveriesPerMessage, reference: b.deliveriesPerMessage, better: "lower" },
    { metric: "  of which wasted (pushed to no one)", current: t.wastedPerMessage, reference: b.wastedPerMessage, better: "lower" },
    { metric: "  handled by each node / chat msg", current: t.deliveriesPerMessage / k, reference: b.deliveriesPerMessage / k, better: "lower" },
    { metric: "KB delivered by the broker / chat msg", current: t.kbPerMessage, reference: b.kbPerMessage, better: "lower" },
    { metric: `chat msgs/s end to end (${t.scenario.window} in flight)`, current: t.messagesPerSecond, reference: b.messagesPerSecond, better: "higher" },
    { metric: "  latency p50 ms under that load", current: t.loadedLatencyMs.p50, reference: b.loadedLatencyMs.p50, better: "lower" },
    { metric: "  latency p99 ms under that load", current: t.loadedLatencyMs.p99, reference: b.loadedLatencyMs.p99, better: "lower" },
    { metric: "latency p50 ms, one msg at a time", current: t.latencyMs.p50, reference: b.latencyMs.p50, better: "lower" },
    { metric: "latency p99 ms, one msg at a time", current: t.latencyMs.p99, reference: b.latencyMs.p99, better: "lower" },
    { metric: "peak RSS MB (publisher + K nodes)", current: t.peakRssMb, reference: b.peakRssMb, better: "lower" },
    { metric: "Node CPU ms / 1k chat msgs", current: t.cpuMsPer1k, reference: b.cpuMsPer1k, better: "lower" },
    { metric: "RabbitMQ CPU ms / 1k chat msgs", current: t.rabbitmqCpuMsPer1k, reference: b.rabbitmqCpuMsPer1k, better: "lower" },
    { metric: "Redis CPU ms / 1k chat msgs", current: t.redisCpuMsPer1k, reference: b.redisCpuMsPer1k, better: "lower" },
  ];
  const exact = (r: RoutingResult) => (r.pushesExact ? "yes" : "NO");
  return [
    renderTable(`Routing: ${title}`, { current: "targeted", reference: "broadcast" }, rows),
    `msgs/s of each run: targeted ${runs.targeted.join(" / ")}, broadcast ${runs.broadcast.join(" / ")} (the table shows the best)`,
    `every recipient device reached exactly once: targeted ${exact(t)}, broadcast ${exact(b)}`,
  ].join("\n");
}
