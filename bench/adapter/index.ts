// edge-im with real Socket.IO clients vs a plain Socket.IO cluster on
// @socket.io/redis-adapter vs the raw RabbitMQ floor, in one run (README "3. Adapter").
//
// For each K (nodes) and each system: K node processes, 200 socket.io-client clients in
// this process (client i on node i mod K), then 1:1 messages injected by a signed HTTP call
// (edge-im: POST /internal/deliver, as the Worker pushes; baseline: the same signed call to
// POST /emit, which does io.to(room).emit, as a cluster emits on the sender's node) at
// open-loop offered rates. Entries spread over the nodes, as the Worker's pushes enter by
// their conversation's node (worker/bridge-link/bridge-client.ts) and a cluster's senders
// sit on every node: message i enters a node other than its recipient's when K > 1
// (BENCH_ADAPTER_ENTRY=node0: every message enters node 0, recipients elsewhere, as runs
// before 2026-11-27 16:00 UTC did). Latency: from each message's due time to its
// arrival at the client. CPU: the node processes (from /proc), this process (clients and
// injector), RabbitMQ (beam.smp) and Redis (redis-server), per 1,000 delivered messages.
// edge-im runs three times on the same nodes and clients: one signed call per message, then
// "batched": the deliveries due within BATCH_WINDOW_MS sent as one batch call (what a link
// from the Worker that coalesces its deliveries would send; the wait counts in the latency),
// then "default", as a Worker in the default link mode sends: one call per message until a
// node's answer asks for batches (X-Bridge-Busy, past its COALESCE_ABOVE), then batched
// until BUSY_HOLD_MS after the last answer that asked (worker/bridge-link/bridge-busy.ts).
import { randomBytes, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { NodeCallSigner } from "../../node-bridge/edge-link/node-call-signer.js";
import { stopChild } from "../children.js";
import { collectLoadGarbage } from "../load-gc.js";
import { cpuMs, pidsNamed, runJsonChild } from "../proc.js";
import { formatNumber } from "../report.js";
import { BRIDGE_BUSY_HEADER, MAX_DELIVERIES_PER_BATCH } from "../../protocol/index.js";
import { BUSY_HOLD_MS } from "../../worker/bridge-link/bridge-busy.js";
import { chatEvent, connectClients, cpuProfDir, packageRoot, startBaselineNode, startEdgeNode, type Client, type RunningNode, type Secrets } from "./cluster.js";
import { latencySummary, openLoop, type RatePhase } from "./open-loop.js";

export interface AdapterConfig {
  nodeCounts: number[];
  clients: number;
  rates: number[];
  /** Per offered rate. */
  durationMs: number;
}

/** Rates up to 16k msgs/s, to find each system's ceiling at K = 4; 2.5 s each keeps the run under 4 minutes. */
export const ADAPTER_CONFIG: AdapterConfig = { nodeCounts: [1, 2, 4], clients: 200, rates: [1_000, 4_000, 8_000, 12_000, 16_000], durationMs: 2_500 };

/** How long the batched injector coalesces deliveries before one batch call. */
export const BATCH_WINDOW_MS = 2;
/**
 * The links the batched injector sends through, the same for every K: the Worker's link
 * count is its configuration (BRIDGE_LINKS), not the number of nodes, so a batch's size
 * depends on the rate and the links, never on K. (Runs before 2026-11-27 21:10 UTC sent one
 * batch per entry node, K links: the larger batches at K = 1 then made CPU per message look
 * like it grew with K.)
 */
export const BATCH_LINKS = 4;
/** A phase's latency bound for "highest offered rate with p99 under it" (the ceiling table). */
export const P99_BOUND_MS = 50;
/** After the last send, how long a phase waits for stragglers. */
const STRAGGLER_WAIT_MS = 2_000;
const BUSY_HEADER = BRIDGE_BUSY_HEADER.toLowerCase();
/**
 * A phase this far past saturation ends the ramp of that system (and injection): a higher
 * rate would only measure the backlog, and cost the run seconds per phase.
 */
const isSaturated = (phase: RatePhase) => phase.delivered < 0.9 * phase.sent || phase.latencyMs.p99 > 2_000;

const numberList = (text: string | undefined) => (text ? text.split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0) : []);

/** ADAPTER_CONFIG, with BENCH_ADAPTER_K=1,2 and BENCH_ADAPTER_RATES=1000,8000 overriding its lists (quick or longer runs). */
export function adapterConfigFromEnv(env = process.env): AdapterConfig {
  const nodeCounts = numberList(env.BENCH_ADAPTER_K);
  const rates = numberList(env.BENCH_ADAPTER_RATES);
  return { ...ADAPTER_CONFIG, ...(nodeCounts.length ? { nodeCounts } : {}), ...(rates.length ? { rates } : {}) };
}

/** Where messages enter: spread over the nodes (default), or all into node 0 (BENCH_ADAPTER_ENTRY=node0). */
export const ADAPTER_ENTRY: "spread" | "node0" = process.env.BENCH_ADAPTER_ENTRY === "node0" ? "node0" : "spread";

export type SystemName = "edge-im" | "adapter";

/**
 * One signed call per message, or (edge-im only) the batch form of /internal/deliver,
 * BATCH_WINDOW_MS of deliveries per call, or "default": per call until a node asks for batches.
 */
export type Injection = "per-call" | "batched" | "default";

export interface AdapterRun {
  system: SystemName;
  nodes: number;
  phases: RatePhase[];
  /** Absent in runs recorded before batching existed: per-call. */
  injection?: Injection;
}

export interface AdapterResult {
  config: AdapterConfig;
  versions: Record<string, string>;
  runs: AdapterRun[];
  floor: RatePhase[];
}

const floorScript = fileURLToPath(new URL("./floor-child.ts", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measureSystem(
  system: SystemName,
  k: number,
  config: AdapterConfig,
  urls: { rabbitmq: string; redis: string },
  log: (line: string) => void,
): Promise<AdapterRun[]> {
  const secrets: Secrets = { authSecret: randomBytes(24).toString("hex"), bridgeSecret: randomBytes(24).toString("hex") };
  const adapterKey = `bench-adapter-${randomUUID().slice(0, 8)}`;
  const nodes: RunningNode[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let clients: Client[] = [];
  try {
    for (let n = 0; n < k; n++) nodes.push(system === "edge-im" ? await startEdgeNode(urls, secrets) : await startBaselineNode(urls.redis, secrets, adapterKey));
    const dueAt: number[] = [];
    let phaseFrom = 0;
    let received = 0;
    let lastAt = 0;
    /** The last arrival of any message, of this phase or an earlier one (quiet(), below). */
    let lastAnyAt = 0;
    let latencies: number[] = [];
    clients = await connectClients(nodes, config.clients, secrets, (index) => {
      const now = performance.now();
      lastAnyAt = now;
      if (index < phaseFrom || dueAt[index] === undefined) return;
      latencies.push(now - dueAt[index]);
      received++;
      lastAt = now;
    });
    const senderId = randomUUID();
    // Cross-node: with K > 1 a message never enters the node its recipient is on.
    const recipients = k === 1 || ADAPTER_ENTRY === "spread" ? clients : clients.filter((c) => c.node !== 0);
    const entryOf = (index: number, recipient: Client) =>
      k === 1 || ADAPTER_ENTRY === "node0" ? 0 : (recipient.node + 1 + (index % (k - 1))) % k;
    const entries = nodes.map((node) => new URL(node.internalUrl));
    const path = system === "edge-im" ? "/internal/deliver" : "/emit";
    let failed = 0;
    // node:crypto, the key imported once: the injector's signing must not be what saturates.
    const signer = new NodeCallSigner(secrets.bridgeSecret);
    /** One signed call to node `entry`; `count` messages fail with it if it is not answered 200. */
    const post = (entry: number, body: string, count: number) => {
      const target = entries[entry]!;
      // The wall clock as timestamp: signCall's default (strictly increasing, +1 ms per call)
      // runs ahead of real time above 1,000 calls/s and leaves the 60 s skew window.
      const headers = signer.sign({ direction: "worker->bridge", method: "POST", path, body }, Date.now());
      const call = request(
        { agent, host: target.hostname, port: target.port, path, method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers } },
        (response) => {
          if (response.statusCode !== 200) failed += count;
          if (response.headers[BUSY_HEADER] === "1") busyUntil = performance.now() + BUSY_HOLD_MS;
          response.resume();
        },
      );
      call.on("error", () => (failed += count));
      call.end(body);
    };
    const delivery = (index: number) => {
      const recipient = recipients[index % recipients.length]!;
      return { entry: entryOf(index, recipient), body: { event: chatEvent(index, senderId, recipient.userId), userIds: [recipient.userId] } };
    };
    type Delivery = ReturnType<typeof delivery>["body"];
    let injection: Injection = "per-call";
    /** "default": until when a node's answer asked for batches. */
    let busyUntil = 0;
    // Batched: one batch per link and window, BATCH_LINKS links whatever K (as the Worker's
    // BRIDGE_LINKS), link l entering node l mod K (as each link enters the node its id hashes to).
    let batches = new Map<number, Delivery[]>();
    let batchTimer: NodeJS.Timeout | undefined;
    const linkEntry = (link: number) => link % k;
    const flushBatches = () => {
      batchTimer = undefined;
      for (const [link, batch] of batches) post(linkEntry(link), JSON.stringify({ deliveries: batch }), batch.length);
      batches = new Map();
    };
    const inject = (index: number) => {
      const { entry, body } = delivery(index);
      if (injection === "per-call" || (injection === "default" && performance.now() >= busyUntil)) return post(entry, JSON.stringify(body), 1);
      // Batched: what the links that coalesce the deliveries of BATCH_WINDOW_MS would send.
      const link = index % BATCH_LINKS;
      const batch = batches.get(link) ?? [];
      batches.set(link, batch);
      batch.push(body);
      if (batch.length >= MAX_DELIVERIES_PER_BATCH) {
        post(linkEntry(link), JSON.stringify({ deliveries: batch }), batch.length);
        batches.delete(link);
      }
      batchTimer ??= setTimeout(flushBatches, BATCH_WINDOW_MS);
    };
    let base = 0;
    // Warm-up (untimed): JIT, keep-alive connections, Redis scripts.
    await openLoop(1_000, 500, (i, due) => ((dueAt[base + i] = due), inject(base + i)));
    base += 500;
    await sleep(500);

    const nodePids = nodes.map((n) => n.child.pid!).filter(Boolean);
    const rabbitPids = pidsNamed("beam.smp");
    const redisPids = pidsNamed("redis-server");
    /** Until nothing arrived for 300 ms (at most 5 s): a saturated phase's backlog does not spill into the next. */
    const quiet = async () => {
      const until = performance.now() + 5_000;
      while (performance.now() - lastAnyAt < 300 && performance.now() < until) await sleep(50);
    };
    const runs: AdapterRun[] = [];
    for (const mode of system === "edge-im" ? (["per-call", "batched", "default"] as const) : (["per-call"] as const)) {
      injection = mode;
      busyUntil = 0;
      // The node's meter remembers the last whole second: the default mode starts from a
      // node that has taken nothing for that long, as a Worker meets a node at rest.
      if (mode === "default") await sleep(2_000);
      const phases: RatePhase[] = [];
      for (const rate of config.rates) {
        if (phases.length > 0 && isSaturated(phases[phases.length - 1]!)) {
          log(`  ${system}${mode === "per-call" ? "" : ` ${mode}`} K=${k} ${rate}/s: skipped (saturated at a lower rate)`);
          continue;
        }
        collectLoadGarbage(); // the injector's and clients' own GC out of the phase (../load-gc.ts)
        phaseFrom = base;
        received = 0;
        latencies = [];
        failed = 0;
        const sent = Math.round((rate * config.durationMs) / 1000);
        const before = { nodes: cpuMs(nodePids), each: nodePids.map((pid) => cpuMs([pid])), rabbitmq: cpuMs(rabbitPids), redis: cpuMs(redisPids), load: process.cpuUsage() };
        const start = performance.now();
        const from = base;
        await openLoop(rate, config.durationMs, (i, due) => ((dueAt[from + i] = due), inject(from + i)));
        const deadline = performance.now() + STRAGGLER_WAIT_MS;
        while (received < sent && performance.now() < deadline) await sleep(5);
        const load = process.cpuUsage(before.load);
        const after = { nodes: cpuMs(nodePids), each: nodePids.map((pid) => cpuMs([pid])), rabbitmq: cpuMs(rabbitPids), redis: cpuMs(redisPids) };
        const per1k = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || received === 0 ? undefined : ((b - a) / received) * 1000);
        const phase: RatePhase = {
          offeredPerSecond: rate,
          sent,
          delivered: received,
          failed,
          deliveredPerSecond: received === 0 ? 0 : received / ((lastAt - start) / 1000),
          latencyMs: latencySummary(latencies),
          cpuMsPer1k: {
            nodes: per1k(before.nodes, after.nodes),
            load: per1k(0, (load.user + load.system) / 1000),
            rabbitmq: per1k(before.rabbitmq, after.rabbitmq),
            redis: per1k(before.redis, after.redis),
          },
          perNodeCpuMsPer1k: before.each.map((b, n) => per1k(b, after.each[n])),
        };
        phases.push(phase);
        log(
          `  ${system}${mode === "per-call" ? "" : ` ${mode}`} K=${k} ${rate}/s: ${received}/${sent} delivered, ${formatNumber(phase.deliveredPerSecond)} msgs/s, p50 ${formatNumber(phase.latencyMs.p50)} ms, p99 ${formatNumber(phase.latencyMs.p99)} ms` +
            (failed ? `, ${failed} injections failed` : ""),
        );
        base += sent;
        await quiet();
      }
      runs.push({ system, nodes: k, phases, injection: mode });
    }
    return runs;
  } finally {
    for (const client of clients) client.socket.disconnect();
    agent.destroy();
    // edge-im nodes stop gracefully: each removes its routes from the shared Redis.
    await Promise.all(nodes.map((n) => stopChild(n.child, system === "edge-im")));
    if (system === "edge-im" && cpuProfDir) log(`  (CPU profiles of node pids ${nodes.map((n) => n.child.pid).join(", ")} in ${cpuProfDir})`);
  }
}

function runFloor(config: AdapterConfig, rabbitmq: string): Promise<RatePhase[]> {
  // The envelope edge-im publishes for one such message is about this size.
  const payload = JSON.stringify({ event: chatEvent(0, randomUUID(), randomUUID()), recipients: [{ userId: randomUUID() }] });
  return runJsonChild<RatePhase[]>(floorScript, [JSON.stringify(config.rates), String(config.durationMs), payload], { RABBITMQ_URL: rabbitmq }, "RabbitMQ floor run");
}

async function packageVersion(name: string): Promise<string> {
  try {
    const { readFile } = await import("node:fs/promises");
    return (JSON.parse(await readFile(`${packageRoot}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

export async function runAdapterBench(urls: { rabbitmq: string; redis: string }, log: (line: string) => void, config = adapterConfigFromEnv()): Promise<AdapterResult> {
  const versions: Record<string, string> = {};
  for (const name of ["socket.io", "socket.io-client", "@socket.io/redis-adapter", "ioredis", "amqplib"]) versions[name] = await packageVersion(name);
  const runs: AdapterRun[] = [];
  for (const k of config.nodeCounts) {
    for (const system of ["edge-im", "adapter"] as const) runs.push(...(await measureSystem(system, k, config, urls, log)));
  }
  log("  RabbitMQ floor (publish-confirm -> direct exchange -> consume+ack, one process)");
  const floor = await runFloor(config, urls.rabbitmq);
  for (const phase of floor) log(`  floor ${phase.offeredPerSecond}/s: ${phase.delivered}/${phase.sent}, p50 ${formatNumber(phase.latencyMs.p50)} ms, p99 ${formatNumber(phase.latencyMs.p99)} ms`);
  return { config, versions, runs, floor };
}
