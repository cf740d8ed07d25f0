// globalSetup of the "node" vitest project: one local Worker (workerd through wrangler's
// unstable_startWorker, fresh D1 with the real migrations) linked to one bridge node,
// shared by every bridge/e2e test file.
//
// The Worker and the bridge each need the other's address. The bridge node starts
// first (port 0) with the Worker's URL as a promise; the Worker starts with
// BRIDGE_URL = that node's internal URL; then the promise resolves. Tests start their
// own nodes on port 0 and read everything they need through inject().
import { pino } from "pino";
import type { TestProject } from "vitest/node";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import { QUIET_WRANGLER, startLocalWorker } from "../../scripts/local-worker.js";
import { missingServices, RABBITMQ_URL, REDIS_URL } from "./support/services.js";

export const AUTH_SECRET = "e2e-auth-secret-0123456789abcdef0123456789";
export const BRIDGE_SECRET = "e2e-bridge-secret-0123456789abcdef01234567";
export const ADMIN_SECRET = "e2e-admin-secret-0123456789abcdef012345678";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
    authSecret: string;
    bridgeSecret: string;
    adminSecret: string;
    /** The bridge node the Worker calls (BRIDGE_URL); its stats are at `${linkInternalUrl}/internal/stats`. */
    linkNodeId: string;
    linkInternalUrl: string;
    /** The link node's public Socket.IO address (the Worker's SOCKET_IO_URL). */
    linkSocketUrl: string;
    rabbitmqUrl: string;
    redisUrl: string;
    /** Set when RabbitMQ or Redis is unreachable (outside CI): the suites that need them skip. */
    servicesMissing: string;
  }
}

export default async function setup(project: TestProject) {
  Object.assign(process.env, QUIET_WRANGLER);
  const missing = await missingServices();
  if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);
  if (missing) console.warn(`\n[node tests] ${missing}\nSuites that need them are SKIPPED.\n`);

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

  const worker = await startLocalWorker({
    AUTH_SECRET,
    BRIDGE_SECRET,
    ADMIN_SECRET,
    BRIDGE_URL: link.internalUrl,
    SOCKET_IO_URL: link.socketUrl,
    // Every test user registers from 127.0.0.1 (Miniflare sets CF-Connecting-IP): lift the
    // per-address limit. The other limits keep their defaults (test/e2e/limits.test.ts).
    LIMIT_REGISTRATIONS: "1000000/60",
    // Short, so a test can step past it (session-ended.test.ts).
    REFRESH_REUSE_GRACE_SECONDS: "1",
    // Two message databases, as in the workers project: conversations spread over both.
    MESSAGE_DATABASES: "MESSAGES_0,MESSAGES_1",
  });
  const url = worker.url;
  resolveWorkerUrl(url);

  project.provide("workerUrl", url);
  project.provide("authSecret", AUTH_SECRET);
  project.provide("bridgeSecret", BRIDGE_SECRET);
  project.provide("adminSecret", ADMIN_SECRET);
  project.provide("linkNodeId", linkNodeId);
  project.provide("linkInternalUrl", link.internalUrl);
  project.provide("linkSocketUrl", link.socketUrl);
  project.provide("rabbitmqUrl", RABBITMQ_URL);
  project.provide("redisUrl", REDIS_URL);
  project.provide("servicesMissing", missing ?? "");

  return async function teardown() {
    // The link node first: it may still be forwarding to the Worker.
    await link.stop();
    await worker.dispose();
  };
}
