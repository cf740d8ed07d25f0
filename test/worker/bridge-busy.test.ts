// BRIDGE_LINK_MODE "busy" (the default): pushes are direct calls until a bridge node's answer
// asks for batches (X-Bridge-Busy), then go through the links for BUSY_HOLD_MS, kept there
// by the links' own word (LinkedOutcome.bridgeBusy); a node that never asks only ever gets
// direct calls. Inside workerd, with a stubbed fetch standing in for the nodes and a real
// BridgeLink object where the link's own call is tested.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BRIDGE_BUSY_HEADER, type DeliverRequest } from "../../protocol/index.js";
import { BUSY_HOLD_MS, isBridgeBusy, noteBridgeBusy, resetBridgeBusy } from "../../worker/bridge-link/bridge-busy.js";
import { resetBridgeHealth } from "../../worker/bridge-link/bridge-client.js";
import { BridgeLink, type LinkedOutcome } from "../../worker/bridge-link/bridge-link.js";
import { forwardToCore } from "../../worker/delivery/core-gateway.js";
import type { Env } from "../../worker/env.js";
import { withRequestId } from "../../worker/logging/request-context.js";

const user = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
const delivery = (i: number): DeliverRequest => ({ event: { type: "typing", conversationId: `g:${user(i)}`, userId: user(i) }, userIds: [user(1000 + i)] });

/** A node at http://a.test answering 200, with X-Bridge-Busy: 1 while `asks()`; the bodies it got. */
function node(asks: () => boolean) {
  const bodies: { deliveries?: unknown[] }[] = [];
  vi.stubGlobal("fetch", async (_input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { deliveries?: unknown[] };
    bodies.push(body);
    const ok = body.deliveries ? { ok: true, results: body.deliveries.map(() => ({ status: 200, ok: true, nodes: [], failedNodes: [] })) } : { ok: true };
    return new Response(JSON.stringify(ok), { headers: asks() ? { [BRIDGE_BUSY_HEADER]: "1" } : {} });
  });
  return bodies;
}

/** Link objects that record what they were handed and answer with `bridgeBusy`. */
function links(bridgeBusy: boolean) {
  const handed: DeliverRequest[] = [];
  const namespace = {
    idFromName: (name: string) => name,
    get: () => ({
      deliver: async (request: DeliverRequest): Promise<LinkedOutcome> => {
        handed.push(request);
        return { outcome: "taken", everyNodeDown: false, bridgeBusy };
      },
    }),
  } as unknown as DurableObjectNamespace;
  return { namespace, handed };
}

const busyEnv = (namespace: DurableObjectNamespace): Env => ({ ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://a.test", BRIDGE_LINKS: "4", BRIDGE_LINK_MODE: "busy", BRIDGE_LINK: namespace });

describe("bridge links when the bridge is busy (BRIDGE_LINK_MODE busy)", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetBridgeHealth();
    resetBridgeBusy();
  });

  it("a node that never asks: every push is a direct call, no link is handed one", async () => {
    const bodies = node(() => false);
    const { namespace, handed } = links(false);
    for (let i = 0; i < 5; i++) expect(await forwardToCore(busyEnv(namespace), delivery(i)).outcome).toBe("taken");
    expect(bodies).toHaveLength(5);
    expect(handed).toHaveLength(0);
  });

  it("an answer that asks moves the next pushes onto the links; the links' word keeps them there", async () => {
    const bodies = node(() => true);
    const { namespace, handed } = links(true);
    expect(await forwardToCore(busyEnv(namespace), delivery(1)).outcome).toBe("taken");
    expect([bodies.length, handed.length]).toEqual([1, 0]); // the first went directly, and was asked
    expect(isBridgeBusy()).toBe(true);
    for (let i = 2; i <= 4; i++) expect(await forwardToCore(busyEnv(namespace), delivery(i)).outcome).toBe("taken");
    expect([bodies.length, handed.map((d) => d.userIds[0])]).toEqual([1, [2, 3, 4].map((i) => user(1000 + i))]);
    // Near the end of the hold, a link that still hears "busy" renews it.
    resetBridgeBusy();
    noteBridgeBusy(Date.now() - BUSY_HOLD_MS + 100);
    await forwardToCore(busyEnv(namespace), delivery(5)).outcome;
    expect(isBridgeBusy(Date.now() + BUSY_HOLD_MS - 1_000)).toBe(true);
  });

  it("once the hold has passed with no node asking, pushes are direct calls again", async () => {
    const bodies = node(() => false);
    const { namespace, handed } = links(false);
    noteBridgeBusy(Date.now() - BUSY_HOLD_MS - 1);
    expect(isBridgeBusy()).toBe(false);
    await forwardToCore(busyEnv(namespace), delivery(1)).outcome;
    expect([bodies.length, handed.length]).toEqual([1, 0]);
  });

  it("a push handed to a link names the request behind it (the link's call carries many requests' pushes)", async () => {
    node(() => false);
    const { namespace, handed } = links(true);
    noteBridgeBusy();
    await withRequestId("req-behind-the-push", () => forwardToCore(busyEnv(namespace), delivery(1)).outcome);
    expect(handed.map((d) => d.traceId)).toEqual(["req-behind-the-push"]);
  });

  it("the hold lasts BUSY_HOLD_MS from the last answer that asked", () => {
    noteBridgeBusy(1_000);
    expect(isBridgeBusy(1_000 + BUSY_HOLD_MS - 1)).toBe(true);
    expect(isBridgeBusy(1_000 + BUSY_HOLD_MS)).toBe(false);
  });

  it("a real link tells each caller whether its own call was asked, not whether an older one was", async () => {
    let asks = true;
    node(() => asks);
    const namespace = env.BRIDGE_LINK as unknown as DurableObjectNamespace<BridgeLink>;
    const linkEnv: Env = { ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://a.test", BRIDGE_LINKS: "1", BRIDGE_LINK_WINDOW_MS: "5" };
    const twice = (name: string) =>
      runInDurableObject(namespace.get(namespace.idFromName(name)), (_instance, state) => {
        const link = new BridgeLink(state, linkEnv);
        return Promise.all([link.deliver(delivery(1)), link.deliver(delivery(2))]);
      });
    const asked = { outcome: "taken", everyNodeDown: false, bridgeBusy: true };
    expect(await twice("busy-link")).toEqual([asked, asked]);
    // The load has passed: the node answers without the header; the last ask was 1 s ago,
    // within the hold, but before this call.
    asks = false;
    resetBridgeBusy();
    noteBridgeBusy(Date.now() - 1_000);
    expect(isBridgeBusy()).toBe(true);
    const calm = { outcome: "taken", everyNodeDown: false, bridgeBusy: false };
    expect(await twice("calm-link")).toEqual([calm, calm]);
  });
});
