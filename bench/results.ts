// Where results go: bench/results/latest.json (this run), bench/results/history.jsonl
// (one line per run), and bench/baseline.json (a recorded run every later run is
// compared with; written only with --record-baseline).
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { RoutingComparison } from "./routing/index.js";
import type { WorkerResult } from "./worker/index.js";
import type { AdapterResult } from "./adapter/index.js";

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
}

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

export async function saveResults(results: BenchResults, options: { recordBaseline: boolean }): Promise<string[]> {
  await mkdir(resultsDir, { recursive: true });
  const latest = `${resultsDir}latest.json`;
  const history = `${resultsDir}history.jsonl`;
  await writeJson(latest, results);
  await appendFile(history, `${JSON.stringify(results)}\n`);
  const written = [latest, history];
  if (options.recordBaseline) {
    await writeJson(baselineFile, results);
    written.push(baselineFile);
  }
  return written;
}
