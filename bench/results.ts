// Where results go: bench/results/latest.json (this run), bench/results/history.jsonl
// (one line per run), and bench/baseline.json (a recorded run every later run is
// compared with; written only with --record-baseline).
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { RoutingComparison } from "./routing/index.js";
import type { WorkerResult } from "./worker/index.js";
import type { AdapterResult } from "./adapter/index.js";
import type { FullPathResult } from "./fullpath/index.js";
import type { FanoutResult } from "./fanout/index.js";
import type { MemoryResult } from "./memory/index.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
}

export interface BenchResults {
  recordedAt: string;
  machine: Machine;
  routing?: RoutingComparison[];
  worker?: WorkerResult;
  /** Real Socket.IO clients: edge-im vs @socket.io/redis-adapter vs the RabbitMQ floor (bench/adapter/). */
  adapter?: AdapterResult;
  /** Real clients through the local Worker and a bridge node, open loop (bench/fullpath/). */
  fullpath?: FullPathResult;
  /** One message to a big group over 4 bridge nodes and the edge (bench/fanout/). */
  fanout?: FanoutResult;
  /** Idle Socket.IO connections: a bridge node vs a plain Socket.IO server (bench/memory/). */
  memory?: MemoryResult;
  /** Set by --quick: short settings, figures not comparable. */
  quick?: boolean;
  /** The machine's 1-minute load average when the run started (other work skews the figures). */
  loadAverageAtStart?: number;
  /** Sections that threw (their errors went to the console); the others were written. */
  failedSections?: string[];
  /** Seconds each section took, and the whole run. */
  durationsS?: Record<string, number>;
  totalS?: number;
}

/** One section of bench/RESULTS.md: a title, lines of text, the tables (as printed); or ready markdown. */
export interface MarkdownSection {
  title: string;
  intro: string[];
  tables: string[];
  /** Ready markdown (its headings are demoted one level); replaces title, intro and tables. */
  markdown?: string;
  /** What to print on the console instead of `tables` (the adapter section, whose markdown is ready). */
  adapterTables?: string[];
}

const resultsMarkdownFile = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const baselineFile = fileURLToPath(new URL("./baseline.json", import.meta.url));
const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

export function machine(): Machine {
  const all = cpus();
  return {
    cpus: all.length,
    cpuModel: all[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${process.platform} ${release()}`,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, ${m.kernel}`;
}

/** What differs between two machines, for the warning above a comparison. */
export function machineDifferences(a: Machine, b: Machine): string[] {
  return (["cpus", "cpuModel", "node"] as const).filter((key) => a[key] !== b[key]).map((key) => `${key}: ${b[key]} -> ${a[key]}`);
}

export async function readBaseline(): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(baselineFile, "utf8")) as BenchResults;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name, then renamed: an interrupted run never leaves half a file. */
async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** A --quick run (results.quick) writes latest.json but adds no line to history.jsonl: its figures are not comparable. */
export async function saveResults(results: BenchResults, options: { recordBaseline: boolean }): Promise<string[]> {
  await mkdir(resultsDir, { recursive: true });
  const latest = `${resultsDir}latest.json`;
  const history = `${resultsDir}history.jsonl`;
  await writeJson(latest, results);
  const written = [latest];
  if (!results.quick) {
    await appendFile(history, `${JSON.stringify(results)}\n`);
    written.push(history);
  }
  if (options.recordBaseline) {
    await writeJson(baselineFile, results);
    written.push(baselineFile);
  }
  return written;
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (JSON.parse(await readFile(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url)), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

/** bench/RESULTS.md: every section of this run (machine, versions, settings, the tables), rewritten by every run. */
export async function writeResultsMarkdown(results: BenchResults, sections: MarkdownSection[]): Promise<string> {
  const versions: string[] = [];
  for (const name of ["wrangler", "workerd", "socket.io", "socket.io-client", "@socket.io/redis-adapter", "ioredis", "amqplib"]) {
    versions.push(`${name} ${await packageVersion(name)}`);
  }
  const durations = Object.entries(results.durationsS ?? {}).map(([name, s]) => `${name} ${s.toFixed(0)} s`);
  const lines = [
    "# edge-im benchmark results",
    "",
    "Written by `npm run bench` (every section of the run; `--only=` runs write only theirs). How each section is measured: bench/README.md.",
    "JSON of the same run: `bench/results/latest.json`; one line per run in `bench/results/history.jsonl`.",
    "",
    `- run: ${results.recordedAt}${results.quick ? " (**--quick**: short settings, a smoke run; do not compare these figures)" : ""}`,
    `- machine: ${describeMachine(results.machine)}; RabbitMQ, Redis, workerd, every node and the clients share it`,
    `- versions: ${versions.join(", ")}`,
    ...(results.loadAverageAtStart === undefined ? [] : [`- load average (1 min) at the start: ${results.loadAverageAtStart.toFixed(2)} on ${results.machine.cpus} CPUs`]),
    ...(results.failedSections?.length ? [`- **FAILED sections: ${results.failedSections.join(", ")}** (see the console output of the run)`] : []),
    `- took: ${results.totalS === undefined ? "?" : `${results.totalS.toFixed(0)} s`}${durations.length ? ` (${durations.join(", ")})` : ""}`,
    "",
    "ratio = current / reference; the reference is named in each table's header (broadcast, adapter, floor, plain Socket.IO, or the recorded run in `bench/baseline.json`). The verdict ignores differences under 10%: on this shared 2-core machine identical runs differ by up to ~25%.",
    "",
  ];
  for (const section of sections) {
    if (section.markdown !== undefined) {
      lines.push(section.markdown.replace(/^(#+) /gm, "#$1 ").trimEnd(), "");
      continue;
    }
    lines.push(`## ${section.title}`, "", ...section.intro, "", "```", ...section.tables.map((t) => t.trimStart()), "```", "");
  }
  await writeFile(resultsMarkdownFile, lines.join("\n"));
  return resultsMarkdownFile;
}
