// Liveness and readiness on both ports of a node (the internal one for operators, the public
// Socket.IO one for load balancers), `GET /` on the public port, and Socket.IO unharmed.
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import type { WorkerClient } from "../../node-bridge/edge-link/worker-client.js";
import { Readiness } from "../../node-bridge/health/readiness.js";
import { registerUser } from "../e2e/support/api.js";
import { connectCore } from "../e2e/support/clients.js";
import { nodeConfig } from "../e2e/support/nodes.js";
import type { BridgeConfig } from "../../node-bridge/config.js";

const get = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as Record<string, unknown> };
};

describe("node health", () => {
  const nodes: BridgeNode[] = [];
  const start = async (name: string, overrides: Partial<BridgeConfig> = {}) => {
    const core = inject("servicesMissing") ? { rabbitmqUrl: undefined, redisUrl: undefined } : {};
    const node = await startBridgeNode(nodeConfig(name, { ...core, ...overrides }), pino({ level: "silent" }));
    nodes.push(node);
    return node;
  };
  afterAll(async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  });

  it("answers /healthz and /readyz on both ports, / on the public one, and Socket.IO still works", async () => {
    const node = await start("health");
    const connected = node.mode === "core" ? "ok" : "embedded";
    for (const base of [node.internalUrl, node.socketUrl]) {
      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, type: "application/json", body: { ok: true, nodeId: node.nodeId } });
      const ready = await get(`${base}/readyz`);
      expect(ready).toMatchObject({ status: 200, body: { ok: true, checks: { rabbitmq: connected, redis: connected, worker: "ok" } } });
    }
    expect(await get(`${node.socketUrl}/`)).toMatchObject({ status: 200, body: { ok: true, nodeId: node.nodeId } });
    // Not a route: an answer, never a hanging request.
    expect((await fetch(`${node.socketUrl}/nope`, { signal: AbortSignal.timeout(5_000) })).status).toBe(404);
    // The internal port keeps `/` and its own routes apart.
    expect((await fetch(`${node.internalUrl}/`, { signal: AbortSignal.timeout(5_000) })).status).toBe(404);

    // Engine.IO's own path still answers (the polling handshake), and a real client connects.
    const polling = await fetch(`${node.socketUrl}/socket.io/?EIO=4&transport=polling`, { signal: AbortSignal.timeout(5_000) });
    expect(polling.status).toBe(200);
    expect(await polling.text()).toMatch(/^0\{"sid":/);
    const user = await registerUser("health");
    const device = await connectCore(node.socketUrl, user.token);
    device.close();
  });

  it("is not ready, naming the Worker, when the Worker does not answer; alive all the same", async () => {
    const node = await start("health-no-worker", { workerUrl: "http://127.0.0.1:9" });
    for (const base of [node.internalUrl, node.socketUrl]) {
      const ready = await get(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ok: false, down: ["worker"], checks: { worker: "down" } });
      expect((await get(`${base}/healthz`)).status).toBe(200);
    }
  });

  it("names a lost core connection (readiness as a unit)", async () => {
    const answering = { lastAnsweredAt: Date.now(), probe: async () => true } as unknown as WorkerClient;
    const rabbitDown = await new Readiness({ rabbitmq: () => false, redis: () => true }, answering).check();
    expect(rabbitDown).toEqual({ ready: false, checks: { rabbitmq: "down", redis: "ok", worker: "ok" } });
    const embedded = new Readiness(undefined, answering);
    expect(await embedded.check()).toEqual({ ready: true, checks: { rabbitmq: "embedded", redis: "embedded", worker: "ok" } });
    embedded.markStopping();
    expect(await embedded.check()).toMatchObject({ ready: false, stopping: true });
    // A stale last answer is checked again with a probe (one at a time).
    let probes = 0;
    const silent = { lastAnsweredAt: 0, probe: async () => (probes++, false) } as unknown as WorkerClient;
    const readiness = new Readiness(undefined, silent);
    const [a, b] = await Promise.all([readiness.check(), readiness.check()]);
    expect(a.checks.worker).toBe("down");
    expect(b.checks.worker).toBe("down");
    expect(probes).toBe(1);
  });
});
