// `npm run bench`: every benchmark, figures and ratios side by side with a baseline.
//   npm run bench                         run all, compare the Worker with bench/baseline.json
//   npm run bench -- --record-baseline    run all and make this run the baseline
//   npm run bench -- --only=routing|worker|adapter
// Needs RabbitMQ and Redis (the routing benchmark); says which is missing and exits 1.
import { missingServices, RABBITMQ_URL, REDIS_URL } from "../test/e2e/support/services.js";
import { renderTable, type Row } from "./report.js";
import { describeMachine, machine, machineDifferences, readBaseline, saveResults, type BenchResults } from "./results.js";
import { routingTable, runRoutingBench } from "./routing/index.js";
import { runWorkerBench, type WorkerResult } from "./worker/index.js";
import { adapterTables, runAdapterBench } from "./adapter/index.js";
import { writeAdapterMarkdown } from "./adapter/markdown.js";

const USAGE = "usage: npm run bench [-- --record-baseline | --only=routing | --only=worker | --only=adapter]";
type Only = "routing" | "worker" | "adapter";

function parseArgs(argv: string[]): { recordBaseline: boolean; only?: Only } {
  let recordBaseline = false;
  let only: Only | undefined;
  for (const arg of argv) {
    if (arg === "--record-baseline") recordBaseline = true;
    else if (arg === "--only=routing" || arg === "--only=worker" || arg === "--only=adapter") only = arg.slice("--only=".length) as Only;
    else fail(`unknown argument ${arg}\n${USAGE}`, 2);
  }
  if (recordBaseline && only) fail("--record-baseline records a full run: leave out --only", 2);
  return { recordBaseline, ...(only ? { only } : {}) };
}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

function workerTable(current: WorkerResult, recorded: WorkerResult | undefined): string {
  const c = current.config;
  const pair = (metric: string, pick: (r: WorkerResult) => number | undefined, better: Row["better"]): Row => ({
    metric,
    current: pick(current),
    reference: recorded ? pick(recorded) : undefined,
    better,
  });
  const rows: Row[] = [
    pair("POST /api/messages, 1 at a time: req/s", (r) => r.send1.requestsPerSecond, "higher"),
    pair("  latency p50 ms", (r) => r.send1.latencyMs.p50, "lower"),
    pair("  latency p99 ms", (r) => r.send1.latencyMs.p99, "lower"),
    pair(`POST /api/messages, ${c.concurrency} in flight: req/s`, (r) => r.send16.requestsPerSecond, "higher"),
    pair("  latency p50 ms", (r) => r.send16.latencyMs.p50, "lower"),
    pair("  latency p99 ms", (r) => r.send16.latencyMs.p99, "lower"),
    pair(`sync of ${c.syncMessages} msgs (GET ?afterSeq=): p50 ms`, (r) => r.sync.latencyMs.p50, "lower"),
    pair("  p99 ms", (r) => r.sync.latencyMs.p99, "lower"),
    pair("  messages/s synced", (r) => r.sync.messagesPerSecond, "higher"),
    pair("workerd RSS MB at the end", (r) => r.workerdRssMb, "lower"),
  ];
  const warning =
    recorded && recorded.storage !== current.storage ? `\nWARNING: the baseline's D1 was in ${recorded.storage}, this run's in ${current.storage}` : "";
  return renderTable(`Worker send path (local workerd, D1 in ${current.storage})`, { current: "current", reference: "baseline" }, rows) + warning;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  if (major < 22 || (major === 22 && minor < 12)) {
    fail(`Node ${process.version}: the benchmarks need Node >= 22.12 (wrangler). Run them with \`npm run bench\`, which uses the project's pinned Node 24.`, 2);
  }
  const missing = await missingServices();
  if (missing) fail(`\nbench: cannot run, ${missing}`, 1);

  const here = machine();
  const baseline = await readBaseline();
  console.log(`edge-im benchmarks on ${describeMachine(here)}`);
  console.log(`RabbitMQ ${RABBITMQ_URL}, Redis ${REDIS_URL}`);
  if (baseline) {
    console.log(`baseline: bench/baseline.json, recorded ${baseline.recordedAt} on ${describeMachine(baseline.machine)}`);
    const differences = machineDifferences(here, baseline.machine);
    if (differences.length > 0) console.log(`WARNING: the baseline was recorded on another machine (${differences.join(", ")}): ratios compare machines too`);
  } else if (!options.recordBaseline) {
    console.log("baseline: none yet (record one with `npm run bench -- --record-baseline`)");
  }

  const results: BenchResults = { recordedAt: new Date().toISOString(), machine: here };
  const startedAt = Date.now();
  const log = (line: string) => console.log(line);

  const runs = (part: Only) => options.only === undefined || options.only === part;
  if (runs("routing")) {
    console.log("\n[1/3] routing: targeted (Redis look-up, one publish per node) vs broadcast (fanout to every node)");
    results.routing = await runRoutingBench({ rabbitmq: RABBITMQ_URL, redis: REDIS_URL }, log);
  }
  if (runs("adapter")) {
    console.log("\n[2/3] adapter: real Socket.IO clients, edge-im vs @socket.io/redis-adapter vs the RabbitMQ floor");
    results.adapter = await runAdapterBench({ rabbitmq: RABBITMQ_URL, redis: REDIS_URL }, log);
  }
  if (runs("worker")) {
    console.log("\n[3/3] worker: HTTP send path and sync");
    results.worker = await runWorkerBench(
      { sequentialSends: 300, concurrentSends: 800, concurrency: 16, warmup: 20, syncMessages: 200, syncRounds: 100 },
      log,
    );
  }

  for (const comparison of results.routing ?? []) console.log(routingTable(comparison));
  if (results.adapter) for (const table of adapterTables(results.adapter)) console.log(table);
  if (results.worker) {
    const reference = options.recordBaseline ? results.worker : baseline?.worker;
    console.log(workerTable(results.worker, reference));
    if (options.recordBaseline) console.log("(recorded as the new baseline: ratios are 1.00x by definition)");
  }
  console.log("\nratio = current / reference (targeted / broadcast, edge-im / adapter and edge-im / floor, or current / baseline); verdict ignores differences under 10%.");

  const written = await saveResults(results, { recordBaseline: options.recordBaseline });
  if (results.adapter) written.push(await writeAdapterMarkdown(results.adapter, results.machine, results.recordedAt));
  console.log(`\ndone in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; wrote ${written.map((p) => p.slice(p.indexOf("bench/"))).join(", ")}`);

  const inexact = (results.routing ?? []).flatMap((c) => [c.targeted, c.broadcast]).filter((r) => !r.pushesExact);
  if (inexact.length > 0) fail(`\nFAILED: ${inexact.length} routing run(s) did not reach every recipient exactly once`, 1);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
