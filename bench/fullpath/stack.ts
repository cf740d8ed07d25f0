// The whole system on this machine, for the full-path and fan-out benchmarks: the local
// Worker (scripts/local-worker.ts, as the end-to-end tests start it: workerd, fresh D1 with
// the real migrations) linked to K real bridge node processes (node-bridge/main.ts, core
// mode, the shared RabbitMQ and Redis). The nodes' ports are picked free first, so the
// Worker can start with BRIDGE_URLS naming them and the nodes then with WORKER_URL naming
// the Worker. Every child is killed if the bench exits early (children.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { EdgeImApi, MemoryTokenStore } from "../../client/index.js";
import { startLocalWorker, type LocalWorker, type WorkerVars } from "../../scripts/local-worker.js";
import { cpuMs, descendantsOf, pidsNamed } from "../proc.js";
import { freePort, stopChild, track } from "../children.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** As bench/worker/local-worker.ts: tmpfs when there is one (BENCH_STATE_DIR overrides). */
export function stateParent(): { dir: string; storage: string } {
  const chosen = process.env.BENCH_STATE_DIR;
  if (chosen) return { dir: chosen, storage: chosen };
  return existsSync("/dev/shm") ? { dir: "/dev/shm", storage: "tmpfs (/dev/shm)" } : { dir: tmpdir(), storage: `disk (${tmpdir()})` };
}

export interface StackNode {
  nodeId: string;
  socketUrl: string;
  internalUrl: string;
  child: ChildProcess;
}

export interface Stack {
  workerUrl: string;
  storage: string;
  nodes: StackNode[];
  /** workerd processes started for this Worker so far (descendants of the bench process). */
  workerdPids(): number[];
  /** CPU ms of workerd, and of the bridge node processes, so far. */
  workerdCpuMs(): number | undefined;
  nodesCpuMs(): number | undefined;
  stop(): Promise<void>;
}

export interface StackOptions {
  nodes: number;
  rabbitmq: string;
  redis: string;
  /** More of the Worker's vars (e.g. BRIDGE_LINKS for the coalesced-link variant). */
  workerVars?: Record<string, string>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const secret = () => randomBytes(24).toString("hex");
  const authSecret = secret();
  const bridgeSecret = secret();
  const ports = [];
  for (let i = 0; i < options.nodes; i++) ports.push({ port: await freePort(), internalPort: await freePort() });
  const internalUrls = ports.map((p) => `http://127.0.0.1:${p.internalPort}`);
  const workerdBefore = new Set(pidsNamed("workerd"));
  const { dir, storage } = stateParent();
  // The send-rate limits are lifted: the bench sends far past them on purpose (their
  // counters are still taken on every send). LIMIT_FRAMES is the edge socket's frame limit.
  const vars: WorkerVars & Record<string, string> = {
    AUTH_SECRET: authSecret,
    BRIDGE_SECRET: bridgeSecret,
    BRIDGE_URL: internalUrls[0]!,
    BRIDGE_URLS: internalUrls.join(","),
    LIMIT_MESSAGES: "1000000/1",
    LIMIT_FRAMES: "1000000/1",
    LIMIT_REGISTRATIONS: "1000000/60",
    LIMIT_GROUP_CREATES: "1000/60",
    // BENCH_MESSAGE_DATABASES=MESSAGES_0,MESSAGES_1: the message databases to spread over (scripts/local-worker.ts declares them).
    ...(process.env.BENCH_MESSAGE_DATABASES ? { MESSAGE_DATABASES: process.env.BENCH_MESSAGE_DATABASES } : {}),
    ...options.workerVars,
  };
  const worker: LocalWorker = await startLocalWorker(vars, dir);
  // Clients and nodes reach the Worker on its own socket, as in a deployment, not through
  // wrangler's dev proxy (scripts/local-worker.ts, directUrl); BENCH_WORKER_ENTRY=proxy
  // measures with the proxy, as runs before 2026-11-27 15:30 UTC did.
  const workerUrl = process.env.BENCH_WORKER_ENTRY === "proxy" ? worker.url : worker.directUrl;
  // Looked up at every reading, not once here: wrangler starts a second workerd (the one that
  // runs the Worker, D1 and the Durable Objects) only after startLocalWorker returned, and a
  // list taken now would hold only its proxy (about a fifth of the CPU per request).
  const workerdPids = () => {
    const ours = new Set(descendantsOf(process.pid));
    return pidsNamed("workerd").filter((pid) => ours.has(pid) && !workerdBefore.has(pid));
  };
  const nodes: StackNode[] = [];
  try {
    for (let i = 0; i < options.nodes; i++) {
      const nodeId = `bench-fp-${randomUUID().slice(0, 8)}`;
      const child = track(
        spawn(process.execPath, ["--import", "tsx", "node-bridge/main.ts"], {
          cwd: root,
          env: {
            ...process.env,
            NODE_ID: nodeId,
            HOST: "127.0.0.1",
            PORT: String(ports[i]!.port),
            INTERNAL_PORT: String(ports[i]!.internalPort),
            WORKER_URL: workerUrl,
            AUTH_SECRET: authSecret,
            BRIDGE_SECRET: bridgeSecret,
            RABBITMQ_URL: options.rabbitmq,
            REDIS_URL: options.redis,
            // Node 0 forwards the edge queue to the Worker (as the e2e link node does).
            EDGE_LINK: i === 0 ? "true" : "false",
            LIMIT_FRAMES: "1000000/1",
            LOG_LEVEL: "error",
          },
          stdio: ["ignore", "ignore", "inherit"],
        }),
      );
      nodes.push({ nodeId, socketUrl: `http://127.0.0.1:${ports[i]!.port}`, internalUrl: internalUrls[i]!, child });
    }
    const deadline = Date.now() + 30_000;
    for (const node of nodes) {
      for (;;) {
        if (node.child.exitCode !== null) throw new Error(`bridge node ${node.nodeId} exited early with ${node.child.exitCode}`);
        if (await fetch(`${node.internalUrl}/internal/health`).then((r) => r.ok, () => false)) break;
        if (Date.now() > deadline) throw new Error(`bridge node ${node.nodeId} did not start in 30 s`);
        await sleep(100);
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => stopChild(n.child)));
    await worker.dispose();
    throw error;
  }
  const nodePids = nodes.map((n) => n.child.pid!).filter(Boolean);
  return {
    workerUrl,
    storage,
    nodes,
    workerdPids,
    workerdCpuMs: () => cpuMs(workerdPids()),
    nodesCpuMs: () => cpuMs(nodePids),
    async stop() {
      // Close the clients first (closeDevices): their Durable Objects tell the bridge, which
      // must still be there. Then the Worker, then the nodes, gracefully (each removes its
      // routes from the shared Redis; their calls to the gone Worker are logged below LOG_LEVEL).
      await worker.dispose();
      await Promise.all(nodes.map((n) => stopChild(n.child, true)));
    },
  };
}

export interface BenchUser {
  api: EdgeImApi;
  tokens: MemoryTokenStore;
  id: string;
  username: string;
  token: string;
}

export const PASSWORD = "correct horse battery";

export async function registerUser(baseUrl: string, prefix: string, deviceId = "d1"): Promise<BenchUser> {
  const tokens = new MemoryTokenStore();
  const api = new EdgeImApi({ baseUrl, tokens, deviceId });
  const { user } = await api.auth.register({ username: `${prefix}_${randomUUID().slice(0, 8)}`, password: PASSWORD });
  return { api, tokens, id: user.id, username: user.username, token: tokens.load()!.accessToken };
}

/** A second device of the user: its own login, its own token. */
export async function loginDevice(baseUrl: string, user: BenchUser, deviceId: string): Promise<string> {
  const api = new EdgeImApi({ baseUrl, deviceId });
  return (await api.auth.login({ username: user.username, password: PASSWORD })).accessToken;
}

/** Runs `make(i)` for i < count, `concurrency` at a time; results in order. */
export async function inBatches<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await make(i);
      }
    }),
  );
  return results;
}

/** Sums the samples of one metric of a node's Prometheus text (GET /metrics on its internal port). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function scrape(node: StackNode): Promise<string> {
  const response = await fetch(`${node.internalUrl}/metrics`);
  if (!response.ok) throw new Error(`GET ${node.internalUrl}/metrics: ${response.status}`);
  return response.text();
}

/** Closes the benchmark's sockets and lets the Worker's presence calls to the bridge finish. */
export async function closeDevices(devices: Iterable<{ close(): void }>): Promise<void> {
  for (const device of devices) device.close();
  await sleep(1_000);
}
