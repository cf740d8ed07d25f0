// A bench's bridge node process (node-bridge/main.ts, core mode): the environment it starts
// with and the wait for its health answer. Used by the real-socket and memory sections.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { stopChild } from "./children.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node's environment: fresh id, loopback ports, the shared broker and Redis, no edge link, errors only. */
export function benchNodeEnv(options: {
  idPrefix: string;
  port: number;
  internalPort: number;
  workerUrl: string;
  secrets: { authSecret: string; bridgeSecret: string };
  urls: { rabbitmq: string; redis: string };
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ID: `${options.idPrefix}-${randomUUID().slice(0, 8)}`,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    INTERNAL_PORT: String(options.internalPort),
    WORKER_URL: options.workerUrl,
    AUTH_SECRET: options.secrets.authSecret,
    BRIDGE_SECRET: options.secrets.bridgeSecret,
    RABBITMQ_URL: options.urls.rabbitmq,
    REDIS_URL: options.urls.redis,
    EDGE_LINK: "false",
    LOG_LEVEL: "error",
  };
}

/** Until the node answers GET /internal/health; throws (and stops it) if it exits or stays silent for `timeoutMs`. */
export async function untilNodeHealthy(child: ChildProcess, internalPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bridge node exited early with ${child.exitCode}`);
    if (await fetch(`http://127.0.0.1:${internalPort}/internal/health`).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`bridge node did not start in ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
}
