// One routing run in a process of its own, so its RSS and CPU time are its own:
//   node --import tsx bench/routing/child.ts <targeted|broadcast> '<ScenarioConfig json>'
// Prints one JSON line (RoutingResult) on stdout. Started by bench/routing/index.ts.
//
// Phases: warm-up (untimed; payload sizes measured here), throughput (`messages` with
// `window` in flight: msgs/s, loaded latency, CPU, broker deliveries), then latency
// (`latencyMessages` one at a time: the latency of an idle system).
import { performance } from "node:perf_hooks";
import { cpuMs, pidsNamed } from "../proc.js";
import { summarize, type LatencySummary } from "../report.js";
import { startBroadcast } from "./broadcast.js";
import { DeliveryTracker, drive, Scenario, waitFor, type ScenarioConfig } from "./scenario.js";
import { startTargeted } from "./targeted.js";
import type { RoutingVariant } from "./variant.js";

export type VariantName = "targeted" | "broadcast";

export interface RoutingResult {
  variant: VariantName;
  scenario: ScenarioConfig;
  publishesPerMessage: number;
  deliveriesPerMessage: number;
  wastedPerMessage: number;
  kbPerMessage: number;
  messagesPerSecond: number;
  /** During the throughput phase (`window` messages in flight). */
  loadedLatencyMs: LatencySummary;
  /** One message at a time. */
  latencyMs: LatencySummary;
  peakRssMb: number;
  /** CPU of this process (publisher + every node's consumer), per 1,000 chat messages. */
  cpuMsPer1k: number;
  /** CPU of the broker and of Redis during the throughput phase, per 1,000 chat messages. */
  rabbitmqCpuMsPer1k?: number;
  redisCpuMsPer1k?: number;
  /** Every recipient device was reached exactly once per message, in every phase. */
  pushesExact: boolean;
}

async function run(variantName: VariantName, config: ScenarioConfig): Promise<RoutingResult> {
  const urls = { rabbitmq: process.env.RABBITMQ_URL!, redis: process.env.REDIS_URL! };
  const scenario = new Scenario(config);
  const tracker = new DeliveryTracker();
  const start = variantName === "targeted" ? startTargeted : startBroadcast;
  const variant: RoutingVariant = await start(scenario, tracker, urls);

  let expectedPushes = 0;
  let pushesExact = true;
  const send = async (i: number) => {
    const delivery = scenario.delivery(i);
    expectedPushes += delivery.pushes;
    tracker.sent(delivery, performance.now());
    await variant.send(delivery);
  };
  // Drained: every message fully delivered, and every queue delivery (wasted ones too) handled.
  let deliveriesBefore = 0;
  const drained = () => tracker.inFlight === 0 && tracker.deliveries === variant.counters().queueDeliveries - deliveriesBefore;

  let next = 0;
  const phase = async (count: number, window: number) => {
    deliveriesBefore = variant.counters().queueDeliveries;
    expectedPushes = 0;
    const delivered = tracker.startTimed(count);
    const startedAt = performance.now();
    await drive(next, count, window, send);
    next += count;
    await delivered;
    const elapsedMs = tracker.lastUsefulAt - startedAt;
    await waitFor(drained, "every delivery (wasted ones too) to be handled");
    if (tracker.pushes !== expectedPushes) pushesExact = false;
    return { elapsedMs, latencies: summarize(tracker.latenciesMs) };
  };

  // Warm-up: JIT, connections, Redis scripts; also where payload sizes are measured.
  await drive(0, config.warmup, config.window, send);
  next = config.warmup;
  await waitFor(drained, "the warm-up to drain");
  const warmupBytes = variant.counters().bytes;
  variant.stopMeasuringBytes();

  const before = variant.counters();
  const rabbitPids = pidsNamed("beam.smp");
  const redisPids = pidsNamed("redis-server");
  const [rabbitBefore, redisBefore] = [cpuMs(rabbitPids), cpuMs(redisPids)];
  const cpuBefore = process.cpuUsage();
  const throughput = await phase(config.messages, config.window);
  const cpu = process.cpuUsage(cpuBefore);
  const [rabbitAfter, redisAfter] = [cpuMs(rabbitPids), cpuMs(redisPids)];
  const after = variant.counters();
  const { deliveries, wasted } = tracker;

  const latency = await phase(config.latencyMessages, 1);

  const m = config.messages;
  const per1k = (from?: number, to?: number) => (from === undefined || to === undefined ? undefined : ((to - from) / m) * 1000);
  const result: RoutingResult = {
    variant: variantName,
    scenario: config,
    publishesPerMessage: (after.publishes - before.publishes) / m,
    deliveriesPerMessage: deliveries / m,
    wastedPerMessage: wasted / m,
    kbPerMessage: warmupBytes / config.warmup / 1024,
    messagesPerSecond: m / (throughput.elapsedMs / 1000),
    loadedLatencyMs: throughput.latencies,
    latencyMs: latency.latencies,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMsPer1k: ((cpu.user + cpu.system) / 1000 / m) * 1000,
    rabbitmqCpuMsPer1k: per1k(rabbitBefore, rabbitAfter),
    redisCpuMsPer1k: per1k(redisBefore, redisAfter),
    pushesExact,
  };
  await variant.close();
  return result;
}

const [variantName, configJson] = process.argv.slice(2);
if ((variantName !== "targeted" && variantName !== "broadcast") || !configJson) {
  console.error("usage: child.ts <targeted|broadcast> '<scenario config json>'");
  process.exit(2);
}
run(variantName, JSON.parse(configJson) as ScenarioConfig).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
