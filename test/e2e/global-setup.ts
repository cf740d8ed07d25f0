// globalSetup of the "node" vitest project: one local Worker (workerd through wrangler's
// unstable_startWorker, fresh D1 with the real migrations) linked to one bridge node,
// shared by every bridge/e2e test file.
//
// The Worker and the bridge each need the other's address. The bridge node starts
// first (port 0) with the Worker's URL as a promise; the Worker starts with
// BRIDGE_URL = that node's internal URL; then the promise resolves. Tests start their
// own nodes on port 0 and read everything they need through inject().
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import type { TestProject } from "vitest/node";
import { unstable_startWorker } from "wrangler";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import { missingServices, RABBITMQ_URL, REDIS_URL } from "./support/services.js";

export const AUTH_SECRET = "e2e-auth-secret-0123456789abcdef0123456789";
export const BRIDGE_SECRET = "e2e-bridge-secret-0123456789abcdef01234567";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    authSecret: string;
    bridgeSecret: string;
    /** The bridge node the Worker calls (BRIDGE_URL); its stats are at `${linkInternalUrl}/internal/stats`. */
    linkNodeId: string;
    linkInternalUrl: string;
    rabbitmqUrl: string;
    redisUrl: string;
    /** Set when RabbitMQ or Redis is unreachable (outside CI): the suites that need them skip. */
    servicesMissing: string;
  }
}

const quietEnv = { WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export default async function setup(project: TestProject) {
  Object.assign(process.env, quietEnv);
  const missing = await missingServices();
  if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);
  if (missing) console.warn(`\n[node tests] ${missing}\nSuites that need them are SKIPPED.\n`);

  const persist = await mkdtemp(join(tmpdir(), "edge-im-e2e-"));
  await promisify(execFile)("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    env: { ...process.env, ...quietEnv, CI: "true" },
  });

  let resolveWorkerUrl!: (url: string) => void;
  const workerUrl = new Promise<string>((resolve) => (resolveWorkerUrl = resolve));
  const linkNodeId = `e2e-link-${process.pid}`;
  const link: BridgeNode = await startBridgeNode(
    {
      nodeId: linkNodeId,
      host: "127.0.0.1",
      port: 0,
      internalHost: "127.0.0.1",
      internalPort: 0,
      workerUrl,
      authSecret: AUTH_SECRET,
      bridgeSecret: BRIDGE_SECRET,
      ...(missing ? {} : { rabbitmqUrl: RABBITMQ_URL, redisUrl: REDIS_URL }),
      nodeTtlMs: 3_000,
      prefetch: 64,
      edgeLink: true,
      corsOrigin: "*",
      logLevel: "warn",
    },
    pino({ level: "warn", base: { nodeId: linkNodeId } }),
  );

  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: {
      AUTH_SECRET: { type: "plain_text", value: AUTH_SECRET },
      BRIDGE_SECRET: { type: "plain_text", value: BRIDGE_SECRET },
      BRIDGE_URL: { type: "plain_text", value: link.internalUrl },
    },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist, watch: false },
  });
  const url = (await worker.url).toString().replace(/\/+$/, "");
  resolveWorkerUrl(url);

  project.provide("workerUrl", url);
  project.provide("authSecret", AUTH_SECRET);
  project.provide("bridgeSecret", BRIDGE_SECRET);
  project.provide("linkNodeId", linkNodeId);
  project.provide("linkInternalUrl", link.internalUrl);
  project.provide("rabbitmqUrl", RABBITMQ_URL);
  project.provide("redisUrl", REDIS_URL);
  project.provide("servicesMissing", missing ?? "");

  return async function teardown() {
    // The link node first: it may still be forwarding to the Worker.
    await link.stop();
    await worker.dispose();
    await rm(persist, { recursive: true, force: true });
  };
}
