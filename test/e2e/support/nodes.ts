// Bridge nodes for tests: real nodes (real Socket.IO server, RabbitMQ, Redis) started
// in this process on port 0, or in a child process that a test can kill outright.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { pino } from "pino";
import { inject } from "vitest";
import type { BridgeConfig } from "../../../node-bridge/config.js";
import { startBridgeNode, type BridgeNode } from "../../../node-bridge/node.js";

export const uniqueNodeId = (name: string) => `t-${name}-${randomUUID().slice(0, 8)}`;

export function nodeConfig(name: string, overrides: Partial<BridgeConfig> = {}): BridgeConfig {
  return {
    nodeId: uniqueNodeId(name),
    host: "127.0.0.1",
    port: 0,
    internalHost: "127.0.0.1",
    internalPort: 0,
    workerUrl: inject("workerUrl"),
    authSecret: inject("authSecret"),
    bridgeSecret: inject("bridgeSecret"),
    rabbitmqUrl: inject("rabbitmqUrl"),
    redisUrl: inject("redisUrl"),
    nodeTtlMs: 3_000,
    prefetch: 16,
    // The shared link node consumes `edge`; test nodes only their own queue.
    edgeLink: false,
    corsOrigin: "*",
    logLevel: "warn",
    ...overrides,
  };
}

/** Starts nodes and stops them all at the end (pass to afterAll). */
export class NodePool {
  private readonly nodes: BridgeNode[] = [];

  async start(name: string, overrides: Partial<BridgeConfig> = {}): Promise<BridgeNode> {
    const config = nodeConfig(name, overrides);
    const node = await startBridgeNode(config, pino({ level: config.logLevel, base: { nodeId: config.nodeId } }));
    this.nodes.push(node);
    return node;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.nodes.splice(0).map((node) => node.stop()));
  }
}

export interface ChildNode {
  nodeId: string;
  socketUrl: string;
  process: ChildProcess;
  /** SIGKILL: no shutdown, no route removal, as a crash or a pulled plug. */
  kill(): Promise<void>;
}

/** A node in its own process (`tsx node-bridge/main.ts`), configured by environment like production. */
export async function spawnNode(name: string, env: Record<string, string> = {}): Promise<ChildNode> {
  const nodeId = uniqueNodeId(name);
  // One process (node with tsx's loader), not `npx tsx`, whose wrapper processes would
  // survive a SIGKILL sent to the parent and keep the node alive.
  const child = spawn(process.execPath, ["--import", "tsx", "node-bridge/main.ts"], {
    env: {
      ...process.env,
      NODE_ID: nodeId,
      HOST: "127.0.0.1",
      PORT: "0",
      INTERNAL_PORT: "0",
      WORKER_URL: inject("workerUrl"),
      AUTH_SECRET: inject("authSecret"),
      BRIDGE_SECRET: inject("bridgeSecret"),
      RABBITMQ_URL: inject("rabbitmqUrl"),
      REDIS_URL: inject("redisUrl"),
      NODE_TTL_MS: "3000",
      EDGE_LINK: "false",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const socketUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${nodeId} did not start in time`)), 20_000);
    child.once("exit", (code) => reject(new Error(`node ${nodeId} exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; socketUrl?: string };
        if (entry.msg === "bridge node ready" && entry.socketUrl) {
          clearTimeout(timer);
          resolve(entry.socketUrl);
        }
      } catch {
        // not a log line
      }
    });
  });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  return { nodeId, socketUrl, process: child, kill };
}
