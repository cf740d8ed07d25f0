// `npm run bench`: every benchmark, figures and ratios side by side with a baseline.
//   npm run bench                         run all, compare with bench/baseline.json
//   npm run bench -- --record-baseline    run all and make this run the baseline
//   npm run bench -- --only=routing|worker|adapter|fullpath|fanout|memory[,...]
//   npm run bench -- --quick              short settings for the full-path, fan-out and memory sections (smoke runs)
// Needs RabbitMQ and Redis; says which is missing and exits 1. Writes bench/RESULTS.md
// (every section of the run) and bench/results/*.json.
import { loadavg } from "node:os";
import { missingServices, RABBITMQ_URL, REDIS_URL } from "../test/e2e/support/services.js";
import { renderTable, type Row } from "./report.js";
import { describeMachine, machine, machineDifferences, readBaseline, saveResults, writeResultsMarkdown, type BenchResults, type MarkdownSection } from "./results.js";
import { routingTable, runRoutingBench } from "./routing/index.js";
import { runWorkerBench, type WorkerResult } from "./worker/index.js";
import { runAdapterBench } from "./adapter/index.js";
import { adapterTables } from "./adapter/tables.js";
import { writeAdapterMarkdown } from "./adapter/markdown.js";
import { FULLPATH_CONFIG, FULLPATH_QUICK, fullPathMarkdown, fullPathTables, runFullPathBench } from "./fullpath/index.js";
import { FANOUT_CONFIG, FANOUT_QUICK, fanoutMarkdown, fanoutTable, runFanoutBench } from "./fanout/index.js";
import { MEMORY_CONFIG, MEMORY_QUICK, memoryMarkdown, memoryTable, runMemoryBench } from "./memory/index.js";

const SECTIONS = ["routing", "adapter", "worker", "fullpath", "fanout", "memory"] as const;
type Section = (typeof SECTIONS)[number];
const USAGE = `usage: npm run bench [-- --record-baseline | --only=${SECTIONS.join("|")}[,...] | --quick]`;

function parseArgs(argv: string[]): { recordBaseline: boolean; quick: boolean; only?: Section[] } {
  let recordBaseline = false;
  let quick = false;
  let only: Section[] | undefined;
  for (const arg of argv) {
    if (arg === "--record-baseline") recordBaseline = true;
    else if (arg === "--quick") quick = true;
    else if (arg.startsWith("--only=")) {
      const names = arg.slice("--only=".length).split(",");
      const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
      if (unknown.length > 0 || names.length === 0) fail(`unknown section ${unknown.join(", ")}\n${USAGE}`, 2);
      only = names as Section[];
    } else fail(`unknown argument ${arg}\n${USAGE}`, 2);
  }
  if (recordBaseline && only) fail("--record-baseline records a full run: leave out --only", 2);
  if (recordBaseline && quick) fail("--record-baseline records a full run: leave out --quick", 2);
  return { recordBaseline, quick, ...(only ? { only } : {}) };
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
  // Ctrl-C or a kill: exit normally, so that the children (bridge nodes, servers, workerd) are killed on the way out.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => fail(`\nbench: ${signal}, stopping`, 130));
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
  if (options.quick) console.log("--quick: short settings for fullpath, fanout and memory (a smoke run: do not compare its figures)");

  const load = loadavg()[0]!;
  console.log(`load average (1 min): ${load.toFixed(2)} on ${here.cpus} CPUs${load > here.cpus / 2 ? " (the machine is busy: expect noisy figures)" : ""}`);
  const results: BenchResults = { recordedAt: new Date().toISOString(), machine: here, loadAverageAtStart: load, ...(options.quick ? { quick: true } : {}) };
  const startedAt = Date.now();
  const log = (line: string) => console.log(line);
  const urls = { rabbitmq: RABBITMQ_URL, redis: REDIS_URL };

  const chosen = SECTIONS.filter((section) => options.only === undefined || options.only.includes(section));
  const durations: Partial<Record<Section, number>> = {};
  let step = 0;
  const heading = (text: string) => console.log(`\n[${++step}/${chosen.length}] ${text}`);
  // A section that fails is reported and left out; the others still run and are written (exit 1 at the end).
  const failed: string[] = [];
  const timed = async <T>(section: Section, run: () => Promise<T>): Promise<T | undefined> => {
    const from = Date.now();
    try {
      return await run();
    } catch (error) {
      console.error(`  ${section} FAILED:`, error);
      failed.push(section);
      return undefined;
    } finally {
      durations[section] = (Date.now() - from) / 1000;
      console.log(`  (${section}: ${durations[section]!.toFixed(0)} s)`);
    }
  };
  for (const section of chosen) {
    if (section === "routing") {
      heading("routing: targeted (Redis look-up, one publish per node) vs broadcast (fanout to every node)");
      const routingResult = await timed(section, () => runRoutingBench(urls, log));
      if (routingResult) results.routing = routingResult;
    } else if (section === "adapter") {
      heading("adapter: real Socket.IO clients, edge-im vs @socket.io/redis-adapter vs the RabbitMQ floor");
      const adapterResult = await timed(section, () => runAdapterBench(urls, log));
      if (adapterResult) results.adapter = adapterResult;
    } else if (section === "worker") {
      heading("worker: HTTP send path and sync");
      const workerResult = await timed(section, () =>
        runWorkerBench({ sequentialSends: 300, concurrentSends: 800, concurrency: 16, warmup: 20, syncMessages: 200, syncRounds: 100 }, log),
      );
      if (workerResult) results.worker = workerResult;
    } else if (section === "fullpath") {
      heading("fullpath: real clients -> local Worker + bridge node -> recipients on Socket.IO and edge, open loop");
      const fullpathResult = await timed(section, () => runFullPathBench(urls, log, options.quick ? FULLPATH_QUICK : FULLPATH_CONFIG));
      if (fullpathResult) results.fullpath = fullpathResult;
    } else if (section === "fanout") {
      heading("fanout: group messages to a big group over 4 bridge nodes and the edge");
      const fanoutResult = await timed(section, () => runFanoutBench(urls, log, options.quick ? FANOUT_QUICK : FANOUT_CONFIG));
      if (fanoutResult) results.fanout = fanoutResult;
    } else if (section === "memory") {
      heading("memory: idle Socket.IO connections, a bridge node vs a plain Socket.IO server");
      const memoryResult = await timed(section, () => runMemoryBench(urls, log, options.quick ? MEMORY_QUICK : MEMORY_CONFIG));
      if (memoryResult) results.memory = memoryResult;
    }
  }
  results.durationsS = durations;
  if (failed.length > 0) results.failedSections = failed;

  // Every table, printed and collected for bench/RESULTS.md.
  const reference = options.recordBaseline ? results : baseline;
  const sections: MarkdownSection[] = [];
  if (results.routing) {
    const tables = results.routing.map((comparison) => routingTable(comparison));
    sections.push({ title: "Routing: targeted vs broadcast", intro: ["How it is measured: bench/README.md, section 1. ratio = targeted / broadcast."], tables });
  }
  if (results.adapter) {
    // The adapter part keeps its own writer (bench/adapter/markdown.ts): its text becomes this section.
    const adapterFile = await writeAdapterMarkdown(results.adapter, results.machine, results.recordedAt);
    sections.push({ title: "", intro: [], tables: [], markdown: await readFileText(adapterFile), adapterTables: adapterTables(results.adapter) });
  }
  if (results.worker) {
    const tables = [workerTable(results.worker, reference?.worker)];
    sections.push({ title: "Worker send path", intro: ["How it is measured: bench/README.md, section 2. ratio = this run / bench/baseline.json."], tables });
  }
  if (results.fullpath) sections.push(fullPathMarkdown(results.fullpath, fullPathTables(results.fullpath, reference?.fullpath)));
  if (results.fanout) sections.push(fanoutMarkdown(results.fanout, fanoutTable(results.fanout, reference?.fanout)));
  if (results.memory) sections.push(memoryMarkdown(results.memory, memoryTable(results.memory)));
  for (const section of sections) for (const table of section.adapterTables ?? section.tables) console.log(table);
  if (options.recordBaseline) console.log("(recorded as the new baseline: ratios against bench/baseline.json are 1.00x by definition)");
  console.log(
    "\nratio = current / reference (targeted / broadcast, edge-im / adapter and edge-im / floor, edge-im / plain Socket.IO, or current / baseline); verdict ignores differences under 10%.",
  );

  const totalS = (Date.now() - startedAt) / 1000;
  results.totalS = totalS;
  // A run with a failed section never becomes the baseline.
  if (options.recordBaseline && failed.length > 0) console.log("\nnot recorded as the baseline: a section failed");
  const written = await saveResults(results, { recordBaseline: options.recordBaseline && failed.length === 0 });
  written.push(await writeResultsMarkdown(results, sections));
  console.log(`\ndone in ${totalS.toFixed(0)} s (${Object.entries(durations).map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(", ")}); wrote ${written.map((p) => p.slice(p.indexOf("bench/"))).join(", ")}`);

  const inexact = (results.routing ?? []).flatMap((c) => [c.targeted, c.broadcast]).filter((r) => !r.pushesExact);
  if (inexact.length > 0) fail(`\nFAILED: ${inexact.length} routing run(s) did not reach every recipient exactly once`, 1);
  if (failed.length > 0) fail(`\nFAILED: section(s) ${failed.join(", ")} (their errors are above; the other sections were written)`, 1);
}

async function readFileText(path: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return readFile(path, "utf8");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
