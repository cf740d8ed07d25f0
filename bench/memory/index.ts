// Idle memory per Socket.IO connection (README "6. Idle memory"): a bridge node
// (node-bridge/main.ts, core mode on the shared RabbitMQ and Redis) vs a plain Socket.IO
// server on @socket.io/redis-adapter (bench/adapter/baseline-node.ts, the adapter bench's
// baseline), each in a child process of its own, with N idle socket.io-client clients from the
// bench process. Memory is read inside the server child (probe.ts: gc, then
// process.memoryUsage()) before and after the clients connect; per connection = the growth / N.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import { signAccessToken } from "../../server-auth/access-token.js";
import { benchNodeEnv, untilNodeHealthy } from "../bridge-node.js";
import { firstJsonLine, freePort, stopChild, track } from "../children.js";
import { cpuMs } from "../proc.js";
import { formatNumber, renderTable, type Row } from "../report.js";
import type { MarkdownSection } from "../results.js";

export interface MemoryConfig {
  clients: number;
  /** Handshakes in flight while connecting. */
  concurrency: number;
  /** Idle time after the last connection before measuring. */
  idleMs: number;
}

export const MEMORY_CONFIG: MemoryConfig = { clients: 5_000, concurrency: 100, idleMs: 3_000 };
export const MEMORY_QUICK: MemoryConfig = { clients: 500, concurrency: 50, idleMs: 1_000 };

export type ServerName = "edge-im" | "plain";

interface Usage {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  gc: boolean;
  /** Measured again after a memory-reducing gc (probe.ts); absent in results recorded before it. */
  settled?: { rss: number; heapUsed: number };
}

export interface MemoryRun {
  server: ServerName;
  clients: number;
  connected: number;
  /** From the first connect to the last `ready`. */
  connectAllMs: number;
  /** Server CPU (from /proc) spent connecting them, per connection. */
  connectCpuMsPerConnection?: number;
  before: Usage;
  after: Usage;
  rssKbPerConnection: number;
  heapKbPerConnection: number;
  /** The same after a memory-reducing gc: the connect burst's fragmentation compacted, as an idle process's is. */
  settledRssKbPerConnection?: number;
  settledHeapKbPerConnection?: number;
  /** heap + external (socket buffers live outside the JS heap). */
  heapExternalKbPerConnection: number;
  gc: boolean;
}

export interface MemoryResult {
  config: MemoryConfig;
  runs: MemoryRun[];
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const probe = fileURLToPath(new URL("./probe.ts", import.meta.url));
const baselineScript = fileURLToPath(new URL("../adapter/baseline-node.ts", import.meta.url));
const stubWorkerScript = fileURLToPath(new URL("./stub-worker.ts", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  socketUrl: string;
  child: ChildProcess;
}

interface Secrets {
  authSecret: string;
  bridgeSecret: string;
}

/**
 * The bridge node's Worker: stub-worker.ts, in a child process, answering every call 200 at
 * once. The node then does per handshake what it does in production, a session check and a
 * presence report over its keep-alive connections, and the Worker's own work stays out of
 * the figures. (A closed port instead, as the adapter bench uses, measures a refused TCP
 * connect and its error per call, work a node with a live Worker never does.)
 * MEMORY_WORKER=closed: the closed port.
 */
async function startStubWorker(): Promise<{ url: string; child?: ChildProcess }> {
  if (process.env.MEMORY_WORKER === "closed") return { url: "http://127.0.0.1:9" };
  const child = track(spawn(process.execPath, ["--import", "tsx", stubWorkerScript], { cwd: root, stdio: ["ignore", "pipe", "inherit"] }));
  const { url } = await firstJsonLine<{ url: string }>(child, "the stand-in Worker");
  return { url, child };
}

async function startServer(name: ServerName, urls: { rabbitmq: string; redis: string }, secrets: Secrets, workerUrl: string): Promise<Server> {
  const node = ["--expose-gc", "--import", "tsx", "--import", probe];
  if (name === "edge-im") {
    // MEMORY_CPU_PROFILE=<dir>: the bridge node writes a CPU profile there when it stops (gracefully).
    if (process.env.MEMORY_CPU_PROFILE) node.push("--cpu-prof", `--cpu-prof-dir=${process.env.MEMORY_CPU_PROFILE}`);
    const [port, internalPort] = [await freePort(), await freePort()];
    const child = track(
      spawn(process.execPath, [...node, "node-bridge/main.ts"], {
        cwd: root,
        env: benchNodeEnv({ idPrefix: "bench-mem", port, internalPort, workerUrl, secrets, urls }),
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      }),
    );
    await untilNodeHealthy(child, internalPort, 30_000);
    return { socketUrl: `http://127.0.0.1:${port}`, child };
  }
  const child = track(
    spawn(process.execPath, [...node, baselineScript], {
      cwd: root,
      env: { ...process.env, REDIS_URL: urls.redis, AUTH_SECRET: secrets.authSecret, BRIDGE_SECRET: secrets.bridgeSecret, ADAPTER_KEY: `bench-mem-${randomUUID().slice(0, 8)}` },
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    }),
  );
  const { socketUrl } = await firstJsonLine<{ socketUrl: string }>(child, "plain Socket.IO server");
  return { socketUrl, child };
}

/**
 * MEMORY_HEAP_SNAPSHOTS=<dir>: each server also writes a heap snapshot at each measurement,
 * <dir>/<server>-before.heapsnapshot and -after (to compare retained objects by constructor).
 */
const snapshotDir = process.env.MEMORY_HEAP_SNAPSHOTS;

function measure(child: ChildProcess, snapshot?: string): Promise<Usage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server child did not answer `measure` in 20 s")), 20_000);
    const onMessage = (message: unknown) => {
      const usage = message as Usage & { type?: string };
      if (usage.type !== "memory") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve({ rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, gc: usage.gc, settled: usage.settled });
    };
    child.on("message", onMessage);
    child.send(snapshot && snapshotDir ? { snapshot: `${snapshotDir}/${snapshot}.heapsnapshot` } : "measure");
  });
}

async function measureServer(name: ServerName, config: MemoryConfig, urls: { rabbitmq: string; redis: string }, log: (line: string) => void): Promise<MemoryRun> {
  const secrets: Secrets = { authSecret: randomBytes(24).toString("hex"), bridgeSecret: randomBytes(24).toString("hex") };
  const worker: { url: string; child?: ChildProcess } = name === "edge-im" ? await startStubWorker() : { url: "" };
  const server = await startServer(name, urls, secrets, worker.url);
  const sockets: Socket[] = [];
  try {
    await sleep(1_000);
    const before = await measure(server.child, `${name}-before`);
    // Tokens first (untimed): the timed part is the servers' handshakes.
    const tokens = await Promise.all(
      Array.from({ length: config.clients }, () => signAccessToken(secrets.authSecret, { userId: randomUUID(), deviceId: "bench", sessionId: randomUUID() }, 3_600)),
    );
    const cpuBefore = cpuMs([server.child.pid!]);
    const start = performance.now();
    let next = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: config.concurrency }, async () => {
        while (next < config.clients) {
          const token = tokens[next++]!;
          const socket = io(server.socketUrl, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
          sockets.push(socket);
          const ok = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 20_000);
            socket.once("ready", () => (clearTimeout(timer), resolve(true)));
            socket.once("connect_error", () => (clearTimeout(timer), resolve(false)));
          });
          if (!ok) failed++;
        }
      }),
    );
    const connectAllMs = performance.now() - start;
    const cpuAfter = cpuMs([server.child.pid!]);
    const connected = config.clients - failed;
    await sleep(config.idleMs);
    const after = await measure(server.child, `${name}-after`);
    const perConnectionKb = (a: number, b: number) => (connected === 0 ? 0 : (b - a) / connected / 1024);
    const run: MemoryRun = {
      server: name,
      clients: config.clients,
      connected,
      connectAllMs,
      ...(cpuBefore === undefined || cpuAfter === undefined || connected === 0 ? {} : { connectCpuMsPerConnection: (cpuAfter - cpuBefore) / connected }),
      before,
      after,
      rssKbPerConnection: perConnectionKb(before.rss, after.rss),
      heapKbPerConnection: perConnectionKb(before.heapUsed, after.heapUsed),
      heapExternalKbPerConnection: perConnectionKb(before.heapUsed + before.external, after.heapUsed + after.external),
      ...(before.settled && after.settled
        ? {
            settledRssKbPerConnection: perConnectionKb(before.settled.rss, after.settled.rss),
            settledHeapKbPerConnection: perConnectionKb(before.settled.heapUsed, after.settled.heapUsed),
          }
        : {}),
      gc: after.gc,
    };
    log(
      `  ${name}: ${connected}/${config.clients} connected in ${(connectAllMs / 1000).toFixed(1)} s; RSS ${formatNumber(run.rssKbPerConnection)} KB and heap ${formatNumber(run.heapKbPerConnection)} KB per connection` +
        (after.gc ? " (after gc)" : " (no gc: --expose-gc missing)"),
    );
    return run;
  } finally {
    for (const socket of sockets) socket.disconnect();
    // The bridge node stops gracefully: it removes its routes from the shared Redis.
    await stopChild(server.child, name === "edge-im");
    if (worker.child) await stopChild(worker.child);
  }
}

export async function runMemoryBench(urls: { rabbitmq: string; redis: string }, log: (line: string) => void, config = MEMORY_CONFIG): Promise<MemoryResult> {
  const runs: MemoryRun[] = [];
  for (const name of ["edge-im", "plain"] as const) runs.push(await measureServer(name, config, urls, log));
  return { config, runs };
}

const MB = 1024 * 1024;

/** edge-im | plain Socket.IO, ratio = edge-im / plain. */
export function memoryTable(result: MemoryResult): string {
  const edge = result.runs.find((r) => r.server === "edge-im");
  const plain = result.runs.find((r) => r.server === "plain");
  const pair = (metric: string, pick: (r: MemoryRun) => number | undefined, better: Row["better"]): Row => ({
    metric,
    current: edge ? pick(edge) : undefined,
    reference: plain ? pick(plain) : undefined,
    better,
  });
  const rows: Row[] = [
    pair("clients connected", (r) => r.connected, "higher"),
    pair("RSS KB / idle connection", (r) => r.rssKbPerConnection, "lower"),
    pair("JS heap used KB / idle connection", (r) => r.heapKbPerConnection, "lower"),
    pair("heap + external KB / idle connection", (r) => r.heapExternalKbPerConnection, "lower"),
    pair("RSS KB / idle connection, settled (memory-reducing gc)", (r) => r.settledRssKbPerConnection, "lower"),
    pair("JS heap used KB / idle connection, settled", (r) => r.settledHeapKbPerConnection, "lower"),
    pair("RSS MB before the clients (idle server)", (r) => r.before.rss / MB, "lower"),
    pair("RSS MB with every client connected", (r) => r.after.rss / MB, "lower"),
    pair("heap used MB with every client connected", (r) => r.after.heapUsed / MB, "lower"),
    pair("time to connect all clients, s", (r) => r.connectAllMs / 1000, "lower"),
    pair("  connections / s", (r) => (r.connectAllMs > 0 ? r.connected / (r.connectAllMs / 1000) : undefined), "higher"),
    pair("  server CPU ms / connection", (r) => r.connectCpuMsPerConnection, "lower"),
  ];
  const gcNote = result.runs.every((r) => r.gc) ? "measured in the server process after gc (--expose-gc)" : "WARNING: measured without gc";
  return `${renderTable(`Idle memory: ${result.config.clients.toLocaleString("en-US")} idle Socket.IO clients, edge-im bridge node vs plain Socket.IO (redis-adapter)`, { current: "edge-im", reference: "plain", }, rows)}\n${gcNote}`;
}

export function memoryMarkdown(result: MemoryResult, table: string): MarkdownSection {
  const c = result.config;
  return {
    title: "Idle memory per Socket.IO connection",
    intro: [
      "How it is measured: bench/README.md, section 6. ratio = edge-im / plain Socket.IO.",
      "",
      `- settings: ${c.clients.toLocaleString("en-US")} socket.io-client clients (websocket transport, one user each) in the bench process, ${c.concurrency} handshakes in flight, measured ${c.idleMs / 1000} s after the last connected`,
      "- edge-im: one bridge node process (node-bridge/main.ts, core mode, the shared RabbitMQ and Redis, a stand-in Worker process, bench/memory/stub-worker.ts, answering its session checks and presence reports at once); plain: bench/adapter/baseline-node.ts (Socket.IO 4.8 on @socket.io/redis-adapter, the same token check, one room per user)",
      "- memory read inside each server process (bench/memory/probe.ts: gc three times, then process.memoryUsage()), before and after the clients; per connection = growth / clients",
      "- settled: read again after a memory-reducing gc (gc({ flavor: 'last-resort' })), which compacts what the connect burst left fragmented, as V8's memory reducer does to an idle process a few seconds later",
    ],
    tables: [table],
  };
}
