// The Socket.IO handshake checks the browser's Origin against ALLOWED_ORIGINS: CORS alone
// does not stop a cross-origin WebSocket. Non-browser clients (no Origin) always pass.
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../node-bridge/config.js";
import { isAllowedOrigin } from "../../node-bridge/gateway/origin-check.js";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { nodeConfig } from "../e2e/support/nodes.js";

/** Resolves "ready", or the connect_error's data.code. */
function handshake(url: string, token: string, origin?: string): Promise<string> {
  const socket = io(url, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(origin ? { extraHeaders: { Origin: origin } } : {}),
  });
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), 10_000);
    socket.once("ready", () => resolve("ready"));
    socket.once("connect_error", (error: Error & { data?: { code?: string } }) => resolve(error.data?.code ?? error.message));
  }).finally(() => socket.close());
}

describe("Socket.IO origin check", () => {
  let node: BridgeNode;
  const config = nodeConfig("origins", { rabbitmqUrl: undefined, redisUrl: undefined, allowedOrigins: ["https://chat.example"] });
  const token = () => signAccessToken(config.authSecret, { userId: randomUUID(), deviceId: "d1", sessionId: randomUUID() }, 600);
  beforeAll(async () => {
    node = await startBridgeNode(config, pino({ level: "silent" }));
  });
  afterAll(() => node?.stop());

  it("refuses a handshake from an origin not allowed with connect_error forbidden_origin", async () => {
    expect(await handshake(node.socketUrl, await token(), "https://evil.example")).toBe("forbidden_origin");
    expect(await handshake(node.socketUrl, await token(), "null")).toBe("forbidden_origin");
  });

  it("lets an allowed origin and a client without Origin through to the token check", async () => {
    expect(await handshake(node.socketUrl, "not-a-token", "https://chat.example")).toBe("unauthorized");
    expect(await handshake(node.socketUrl, "not-a-token")).toBe("unauthorized");
  });

  it("reads ALLOWED_ORIGINS: a list, or * (the default) for any", () => {
    const env = { NODE_ID: "n1", WORKER_URL: "http://127.0.0.1:1", AUTH_SECRET: "a".repeat(32), BRIDGE_SECRET: "b".repeat(32) };
    expect(loadConfig(env).allowedOrigins).toBe("*");
    expect(loadConfig({ ...env, ALLOWED_ORIGINS: "https://a.example, https://b.example/" }).allowedOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(isAllowedOrigin("https://b.example", ["https://a.example"])).toBe(false);
    expect(isAllowedOrigin(undefined, ["https://a.example"])).toBe(true);
    expect(isAllowedOrigin("https://x.example", "*")).toBe(true);
  });
});
