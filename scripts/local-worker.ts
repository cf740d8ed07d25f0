// The Worker on this machine, started from Node: wrangler's unstable_startWorker (workerd
// with local D1, R2 and Durable Objects) on a free port, with a fresh persist directory
// that has the real D1 migrations applied by wrangler itself. Used by the end-to-end
// tests (test/e2e/) and the benchmarks (bench/worker/).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { unstable_DevEnv } from "wrangler";
import { workerConfig } from "./message-databases.js";

export const QUIET_WRANGLER = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "warn",
  // Wrangler's local observability (on by default since 4.16x) streams every trace event of
  // the Worker (each request, D1 call, object call and log line) into a collector Durable
  // Object in the same workerd, which stores them in SQLite for the local explorer. Profiled
  // on the full path it was 40% of workerd's CPU per message (bench/README.md, "Issue 10,
  // third pass"); a deployment pays nothing like it in the isolate. Off for the tests and the
  // benchmarks; X_LOCAL_OBSERVABILITY=true measures with it.
  X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
};

const root = fileURLToPath(new URL("..", import.meta.url));
const wranglerCli = join(root, "node_modules/wrangler/bin/wrangler.js");

export interface LocalWorker {
  /** The address wrangler's dev server listens on (the same after restart()). */
  url: string;
  /**
   * The Worker's own socket, without wrangler's dev proxy in front: that proxy is a second
   * workerd whose one Durable Object queues every request and WebSocket on its way in, which
   * no deployment has. The benchmarks use this; it changes with restart().
   */
  directUrl: string;
  dispose(): Promise<void>;
  /**
   * Stops the Worker and starts it again on the same address with the same state (D1, R2,
   * Durable Objects in the persist directory): a Worker restart, for fault tests.
   */
  restart(): Promise<void>;
}

export interface WorkerVars {
  AUTH_SECRET: string;
  BRIDGE_SECRET: string;
  /** The back office's bearer secret (/api/admin/*); unset = no back office. */
  ADMIN_SECRET?: string;
  BRIDGE_URL: string;
  /** Several bridge nodes, comma-separated (takes precedence over BRIDGE_URL). */
  BRIDGE_URLS?: string;
  /** Bridge links (worker/bridge-link/bridge-link.ts): how many, when ("busy" or "always"), and their window in ms; unset = wrangler.toml's. */
  BRIDGE_LINKS?: string;
  BRIDGE_LINK_MODE?: string;
  BRIDGE_LINK_WINDOW_MS?: string;
  /** The public Socket.IO gateway the web client offers (GET /api/client-config). */
  SOCKET_IO_URL?: string;
  /** Rate limits ("count/seconds", docs/API.md "Limits"): every user here comes from 127.0.0.1. */
  LIMIT_REGISTRATIONS?: string;
  LIMIT_MESSAGES?: string;
  /** Seconds in which a rotated refresh token counts as a race, not a theft (docs/API.md). */
  REFRESH_REUSE_GRACE_SECONDS?: string;
  /** The message databases' bindings (default "MESSAGES_0"); more are declared for this run (scripts/message-databases.ts). */
  MESSAGE_DATABASES?: string;
}

/**
 * One Worker under wrangler's DevEnv (no inspector, no watch, state in `persist`), `vars` as
 * plain-text bindings, and its own address: the dev proxy learns it from `reloadComplete`
 * (ProxyData.userWorkerUrl), which may come after `ready`. Also starts the benches' floor Worker.
 */
export async function startDevWorker(configPath: string, vars: object, persist: string, port = 0) {
  Object.assign(process.env, QUIET_WRANGLER);
  const devEnv = new unstable_DevEnv();
  let directUrl = "";
  const reloaded = new Promise<void>((resolve) =>
    devEnv.on("reloadComplete", (event: { proxyData: { userWorkerUrl: Partial<URL> } }) => {
      directUrl = Object.assign(new URL("http://127.0.0.1"), event.proxyData.userWorkerUrl).toString().replace(/\/+$/, "");
      resolve();
    }),
  );
  const worker = await devEnv.startWorker({
    config: configPath,
    bindings: Object.fromEntries(
      Object.entries(vars)
        .filter((entry): entry is [string, string] => typeof entry[1] === "string")
        .map(([name, value]) => [name, { type: "plain_text" as const, value }]),
    ),
    dev: { server: { hostname: "127.0.0.1", port }, inspector: false, persist, watch: false },
  });
  try {
    await worker.ready;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the local Worker started, but wrangler did not say its own address within 30 s (reloadComplete)")), 30_000);
    });
    await Promise.race([reloaded, silent]).finally(() => clearTimeout(timer));
  } catch (error) {
    await worker.dispose();
    throw error;
  }
  return { worker, directUrl };
}

/** `stateParent`: where the fresh state directory goes (default the OS temp dir). */
export async function startLocalWorker(vars: WorkerVars, stateParent = tmpdir()): Promise<LocalWorker> {
  Object.assign(process.env, QUIET_WRANGLER);
  const persist = await mkdtemp(join(stateParent, "edge-im-worker-"));
  const config = await workerConfig(root, vars.MESSAGE_DATABASES);
  // The running Node (the project's pinned one under npm) runs wrangler's CLI directly; each
  // database (main, then every message database) gets its own migrations.
  for (const database of config.databases) {
    await promisify(execFile)(
      process.execPath,
      [wranglerCli, "d1", "migrations", "apply", database, "--local", "--persist-to", persist, "--config", config.path],
      { cwd: root, env: { ...process.env, CI: "true" } },
    );
  }
  let directUrl = "";
  const start = async (port: number) => {
    const started = await startDevWorker(config.path, vars, persist, port);
    directUrl = started.directUrl;
    return started.worker;
  };
  let worker = await start(0);
  const url = (await worker.url).toString().replace(/\/+$/, "");
  return {
    url,
    get directUrl() {
      return directUrl;
    },
    async dispose() {
      await worker.dispose();
      await rm(persist, { recursive: true, force: true });
      await config.dispose();
    },
    async restart() {
      await worker.dispose();
      worker = await start(Number(new URL(url).port));
      await worker.url;
    },
  };
}
