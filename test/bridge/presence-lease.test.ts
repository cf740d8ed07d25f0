// The node's side of the presence lease (docs/PROTOCOL.md 7.4), against a small HTTP server
// standing in for the Worker's POST /internal/presence: the node renews after its start-up
// `gone`, reports its users again when the lease had lapsed, and shutdown waits (bounded)
// for the reports already queued.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerClient } from "../../node-bridge/edge-link/worker-client.js";
import { PresenceReporter } from "../../node-bridge/gateway/presence-reporter.js";
import { eventually } from "../e2e/support/clients.js";

const logger = pino({ level: "silent" });

/** A stand-in Worker: records each presence body, answers after `delayMs`, leases as `lapsed`. */
async function fakeWorker(options: { lapsed: boolean; delayMs?: () => number }) {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      setTimeout(() => {
        bodies.push(body);
        response.setHeader("Content-Type", "application/json");
        response.end(JSON.stringify("lease" in body ? { ok: true, lapsed: options.lapsed } : { ok: true }));
      }, options.delayMs?.() ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    return closed;
  };
  return { bodies, url, close };
}

describe("presence lease (node side)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("renews after the start-up gone; a lapsed lease makes it report every local user again", async () => {
    const worker = await fakeWorker({ lapsed: true });
    const here = new Set(["u1", "u2"]);
    const reporter = new PresenceReporter("n1", new WorkerClient(worker.url, "secret"), (u) => here.has(u), logger, () => here);
    cleanups.push(() => reporter.settle(1_000), worker.close);

    await eventually(async () => worker.bodies.length >= 4, "gone, lease, then two online reports", 5_000);
    expect(worker.bodies[0]).toEqual({ gateway: "n1", gone: true });
    expect(worker.bodies[1]).toEqual({ gateway: "n1", lease: true });
    expect(worker.bodies.slice(2)).toEqual(
      expect.arrayContaining([
        { gateway: "n1", userId: "u1", online: true },
        { gateway: "n1", userId: "u2", online: true },
      ]),
    );
  });

  it("a lease still running changes nothing", async () => {
    const worker = await fakeWorker({ lapsed: false });
    const reporter = new PresenceReporter("n2", new WorkerClient(worker.url, "secret"), () => true, logger, () => ["u1"]);
    cleanups.push(() => reporter.settle(1_000), worker.close);
    await eventually(async () => worker.bodies.length >= 2, "gone, then lease", 5_000);
    // Nothing else within 200 ms (a re-report would follow the lease answer at once).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(worker.bodies).toEqual([
      { gateway: "n2", gone: true },
      { gateway: "n2", lease: true },
    ]);
  });

  it("shutdown waits for the queued reports, but not for ever", async () => {
    let delay = 0;
    const worker = await fakeWorker({ lapsed: false, delayMs: () => delay });
    const here = new Set<string>();
    const reporter = new PresenceReporter("n3", new WorkerClient(worker.url, "secret"), (u) => here.has(u), logger, () => here);
    cleanups.push(worker.close);
    await eventually(async () => worker.bodies.length >= 2, "gone, then lease", 5_000);

    delay = 300;
    here.add("u1");
    reporter.changed("u1");
    await reporter.settle(5_000);
    expect(worker.bodies).toContainEqual({ gateway: "n3", userId: "u1", online: true });

    // A Worker that hangs: settle gives up at its bound.
    delay = 5_000;
    here.delete("u1");
    reporter.changed("u1");
    const started = performance.now();
    await reporter.settle(200);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
