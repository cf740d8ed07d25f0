// The two systems' clusters for the real-socket bench (index.ts): K node processes of
// edge-im (the bridge, core mode) or of the plain Socket.IO baseline, and the clients that
// connect to them; the chat event both are asked to push.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import { signAccessToken } from "../../server-auth/access-token.js";
import { benchNodeEnv, untilNodeHealthy } from "../bridge-node.js";
import { firstJsonLine, freePort } from "../children.js";

/** BENCH_CPU_PROF=<dir>: the edge-im nodes run with --cpu-prof and stop gracefully, writing one .cpuprofile each there. */
export const cpuProfDir = process.env.BENCH_CPU_PROF;

/** The project root (a trailing slash). */
export const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
const baselineScript = fileURLToPath(new URL("./baseline-node.ts", import.meta.url));

export interface RunningNode {
  socketUrl: string;
  internalUrl: string;
  child: ChildProcess;
}

export interface Secrets {
  authSecret: string;
  bridgeSecret: string;
}

export async function startEdgeNode(urls: { rabbitmq: string; redis: string }, secrets: Secrets): Promise<RunningNode> {
  const [port, internalPort] = [await freePort(), await freePort()];
  // One process (node with tsx's loader), as test/e2e/support/nodes.ts spawns one.
  const profile = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "node-bridge/main.ts"], {
    cwd: packageRoot,
    // WORKER_URL unreachable: handshakes accept verified tokens without the session check.
    env: benchNodeEnv({ idPrefix: "bench", port, internalPort, workerUrl: "http://127.0.0.1:9", secrets, urls }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const internalUrl = `http://127.0.0.1:${internalPort}`;
  await untilNodeHealthy(child, internalPort, 20_000);
  return { socketUrl: `http://127.0.0.1:${port}`, internalUrl, child };
}

export async function startBaselineNode(redis: string, secrets: Secrets, key: string): Promise<RunningNode> {
  const child = spawn(process.execPath, ["--import", "tsx", baselineScript], {
    cwd: packageRoot,
    env: { ...process.env, REDIS_URL: redis, AUTH_SECRET: secrets.authSecret, BRIDGE_SECRET: secrets.bridgeSecret, ADAPTER_KEY: key },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = await firstJsonLine<{ socketUrl: string; internalUrl: string }>(child, "baseline node", 20_000);
  return { ...started, child };
}

export interface Client {
  userId: string;
  node: number;
  socket: Socket;
}

export async function connectClients(nodes: RunningNode[], count: number, secrets: Secrets, onMessage: (index: number) => void): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async (_, j) => {
        const userId = randomUUID();
        const node = (i + j) % nodes.length;
        const token = await signAccessToken(secrets.authSecret, { userId, deviceId: "bench", sessionId: randomUUID() }, 3_600);
        const socket = io(nodes[node]!.socketUrl, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
        socket.on("message.new", (event: { message: { clientMsgId: string } }) => onMessage(Number(event.message.clientMsgId)));
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("a client got no `ready` in 10 s")), 10_000);
          socket.once("ready", () => (clearTimeout(timer), resolve()));
          socket.once("connect_error", (error) => (clearTimeout(timer), reject(error)));
        });
        return { userId, node, socket };
      }),
    );
    clients.push(...batch);
  }
  return clients;
}

/** A 1:1 text message as the Worker pushes it (`message.new`); clientMsgId carries the bench's index. */
export function chatEvent(index: number, senderId: string, recipientId: string) {
  return {
    type: "message.new",
    message: {
      id: randomUUID(),
      conversationId: `d:${senderId}:${recipientId}`,
      seq: index + 1,
      senderId,
      clientMsgId: String(index),
      kind: "text",
      body: { text: "benchmark message: the quick brown fox jumps over the lazy dog" },
      createdAt: Date.now(),
      recalledAt: null,
    },
  };
}
