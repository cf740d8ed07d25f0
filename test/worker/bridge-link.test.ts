// The coalescing link to the bridge (worker/bridge-link/bridge-link.ts) inside workerd: a
// real BridgeLink object (its state from the runtime, its env naming bridge nodes that a
// stubbed fetch answers), and the batch call's failover. That the pushes reach Socket.IO
// users through a real bridge node with links on is test/e2e/bridge-links.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DeliverRequest } from "../../protocol/index.js";
import { callBridgeBatch, isEveryBridgeNodeDown, resetBridgeHealth } from "../../worker/bridge-link/bridge-client.js";
import { BridgeLink, LINK_MAX_DELIVERIES, LINK_MAX_RECIPIENTS } from "../../worker/bridge-link/bridge-link.js";
import { forwardToCore } from "../../worker/delivery/core-gateway.js";
import type { Env } from "../../worker/env.js";

const CONVERSATION = "dm:00000000-0000-4000-8000-000000000001:00000000-0000-4000-8000-000000000002";
const user = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** A typing push (the smallest event) tagged by its recipients' first id. */
function delivery(i: number, recipients = 1): DeliverRequest {
  return { event: { type: "typing", conversationId: CONVERSATION, userId: user(i) }, userIds: Array.from({ length: recipients }, (_, k) => user(i * 100_000 + k + 1)) };
}

interface Call {
  host: string;
  body: { deliveries?: DeliverRequest[]; event?: unknown; userIds?: string[] };
}

/**
 * Bridge nodes answered by `answer(host, deliveries)`: a status for the whole call, "down"
 * (connection refused), or per-delivery statuses (a batch answer, HTTP 200 if all are 200).
 */
function bridge(answer: (host: string, deliveries: DeliverRequest[]) => number | "down" | number[] = () => 200) {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const host = new URL(String(input)).host;
    const body = JSON.parse(String(init?.body)) as Call["body"];
    calls.push({ host, body });
    const deliveries = body.deliveries ?? [body as DeliverRequest];
    const verdict = answer(host, deliveries);
    if (verdict === "down") throw new TypeError("connection refused");
    if (typeof verdict === "number") return new Response(JSON.stringify({ ok: verdict === 200 }), { status: verdict });
    const results = verdict.map((status) => ({ status, ok: status === 200, nodes: [], failedNodes: status === 200 ? [] : ["n"] }));
    const ok = verdict.every((s) => s === 200);
    return new Response(JSON.stringify({ ok, results }), { status: ok ? 200 : 503 });
  });
  /** Every delivery that reached the bridge, in the order the calls carried them. */
  const delivered = () => calls.flatMap((c) => c.body.deliveries ?? [c.body as DeliverRequest]);
  return { calls, delivered };
}

const linkEnv = (urls = "http://a.test"): Env => ({ ...env, BRIDGE_URL: "", BRIDGE_URLS: urls, BRIDGE_LINKS: "1", BRIDGE_LINK_MODE: "always", BRIDGE_LINK_WINDOW_MS: "5" });

/** Runs `body` with a BridgeLink on a real object's state, its env naming the stubbed nodes. */
async function withLink<T>(name: string, body: (link: BridgeLink) => Promise<T>, urls?: string): Promise<T> {
  const namespace = env.BRIDGE_LINK as unknown as DurableObjectNamespace<BridgeLink>;
  return runInDurableObject(namespace.get(namespace.idFromName(name)), (_instance, state) => body(new BridgeLink(state, linkEnv(urls))));
}

describe("bridge links: coalescing pushes into batch calls", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetBridgeHealth();
  });

  it("deliveries handed over together leave in one batch call, in the order given, each resolved taken", async () => {
    const node = bridge();
    const outcomes = await withLink("together", (link) => Promise.all(Array.from({ length: 50 }, (_, i) => link.deliver(delivery(i)))));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(50).fill("taken"));
    expect(node.calls).toHaveLength(1);
    expect(node.calls[0]!.body.deliveries).toHaveLength(50);
    expect(node.delivered().map((d) => d.userIds[0])).toEqual(Array.from({ length: 50 }, (_, i) => delivery(i).userIds[0]));
  });

  it("a delivery alone goes in the single form", async () => {
    const node = bridge();
    expect((await withLink("alone", (link) => link.deliver(delivery(1)))).outcome).toBe("taken");
    expect(node.calls.map((c) => "deliveries" in c.body)).toEqual([false]);
  });

  it("past the batch limits the queue leaves in several calls, still in order", async () => {
    const node = bridge();
    // LINK_MAX_DELIVERIES + 50 small deliveries, then three that are a fifth of the recipient limit each.
    const big = LINK_MAX_RECIPIENTS / 5;
    const requests = [...Array.from({ length: LINK_MAX_DELIVERIES + 50 }, (_, i) => delivery(i)), delivery(9001, big), delivery(9002, big), delivery(9003, big)];
    const outcomes = await withLink("limits", (link) => Promise.all(requests.map((r) => link.deliver(r))));
    expect(outcomes.every((o) => o.outcome === "taken")).toBe(true);
    expect(node.calls.length).toBeGreaterThan(1);
    for (const call of node.calls) {
      const deliveries = call.body.deliveries ?? [call.body as DeliverRequest];
      expect(deliveries.length).toBeLessThanOrEqual(LINK_MAX_DELIVERIES);
      expect(deliveries.reduce((n, d) => n + d.userIds.length, 0)).toBeLessThanOrEqual(LINK_MAX_RECIPIENTS);
    }
    expect(node.delivered().map((d) => d.userIds[0])).toEqual(requests.map((r) => r.userIds[0]));
  });

  it("pushes handed over one after another while a call is in flight keep their order across calls", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstCallOut!: () => void;
    const firstCallIsOut = new Promise<void>((resolve) => (firstCallOut = resolve));
    const node = bridge();
    const stubbed = globalThis.fetch;
    let first = true;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      if (first) {
        first = false;
        firstCallOut();
        await gate; // the first call is slow: the rest gather behind it
      }
      return stubbed(input, init);
    });
    const outcomes = await withLink("order", async (link) => {
      const pending = [link.deliver(delivery(0))];
      await firstCallIsOut;
      for (let i = 1; i < 30; i++) pending.push(link.deliver(delivery(i)));
      release();
      return Promise.all(pending);
    });
    expect(outcomes.every((o) => o.outcome === "taken")).toBe(true);
    expect(node.delivered().map((d) => d.userIds[0])).toEqual(Array.from({ length: 30 }, (_, i) => delivery(i).userIds[0]));
    expect(node.calls.length).toBe(2); // one for the first, one for the 29 that gathered behind it
  });

  it("a batch answered 503 resolves each delivery by its own result", async () => {
    const failing = new Set([delivery(3).userIds[0], delivery(7).userIds[0]]);
    bridge((_host, deliveries) => deliveries.map((d) => (failing.has(d.userIds[0]) ? 503 : 200)));
    const outcomes = await withLink("partial", (link) => Promise.all(Array.from({ length: 10 }, (_, i) => link.deliver(delivery(i)))));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array.from({ length: 10 }, (_, i) => (i === 3 || i === 7 ? "failed" : "taken")));
  });

  it("a call no node takes fails every delivery in it, and says every node is down", async () => {
    const node = bridge(() => "down");
    const outcomes = await withLink("down", (link) => Promise.all(Array.from({ length: 5 }, (_, i) => link.deliver(delivery(i)))), "http://a.test,http://b.test");
    expect(outcomes).toEqual(Array(5).fill({ outcome: "failed", everyNodeDown: true, bridgeBusy: false }));
    // The same failover as a direct call: each node once (the link's own node first).
    expect(node.calls.map((c) => c.host).sort()).toEqual(["a.test", "b.test"]);
  });
});

describe("bridge links: the batch call's failover", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetBridgeHealth();
  });

  it("the deliveries a node answered 503 for go to the next node, the others do not", async () => {
    const node = bridge((host, deliveries) => (host === "a.test" ? deliveries.map((_, k) => (k === 1 ? 503 : 200)) : 200));
    const requests = [delivery(1), delivery(2), delivery(3)];
    const outcomes = await callBridgeBatch({ ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://a.test,http://b.test" }, requests);
    expect(outcomes).toEqual(["taken", "taken", "taken"]);
    expect(node.calls.map((c) => [c.host, (c.body.deliveries ?? []).map((d) => d.userIds[0])])).toEqual([
      ["a.test", requests.map((r) => r.userIds[0])],
      ["b.test", [requests[1]!.userIds[0]]],
    ]);
  });

  it("a batch refused (4xx) is not sent to another node; every delivery in it failed", async () => {
    const node = bridge(() => 413);
    const two = { ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://a.test,http://b.test" };
    expect(await callBridgeBatch(two, [delivery(1), delivery(2)])).toEqual(["failed", "failed"]);
    expect(node.calls).toHaveLength(1);
  });
});

describe("bridge links: the switch in core-gateway", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetBridgeHealth();
  });

  it("a link that cannot be reached: the push is sent directly, as with links off", async () => {
    const node = bridge();
    const unreachable = {
      idFromName: (name: string) => name,
      get: () => ({ deliver: () => Promise.reject(new Error("Durable Object reset")) }),
    } as unknown as DurableObjectNamespace;
    const call = forwardToCore({ ...linkEnv(), BRIDGE_LINK: unreachable }, delivery(1));
    expect(await call.outcome).toBe("taken");
    expect(node.calls.map((c) => "deliveries" in c.body)).toEqual([false]);
  });

  it("a link that saw every node down marks them down here too (the outbox sweep stops early)", async () => {
    const unreachableBridge = {
      idFromName: (name: string) => name,
      get: () => ({ deliver: async () => ({ outcome: "failed", everyNodeDown: true }) }),
    } as unknown as DurableObjectNamespace;
    const linked = { ...linkEnv(), BRIDGE_LINK: unreachableBridge };
    expect(isEveryBridgeNodeDown(linked)).toBe(false);
    expect(await forwardToCore(linked, delivery(1)).outcome).toBe("failed");
    expect(isEveryBridgeNodeDown(linked)).toBe(true);
  });

  it("BRIDGE_LINKS = 0, or no bridge: no link is called", async () => {
    const never = {
      idFromName: () => {
        throw new Error("a link was called");
      },
    } as unknown as DurableObjectNamespace;
    const node = bridge();
    expect(await forwardToCore({ ...linkEnv(), BRIDGE_LINKS: "0", BRIDGE_LINK: never }, delivery(1)).outcome).toBe("taken");
    expect(await forwardToCore({ ...linkEnv(""), BRIDGE_LINK: never }, delivery(1)).outcome).toBe("no-bridge");
    expect(node.calls).toHaveLength(1);
  });
});
