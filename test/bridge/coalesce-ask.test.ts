// A node asks the Worker for batches (X-Bridge-Busy, protocol/bridge.ts) once it takes more
// deliveries a second than COALESCE_ABOVE, single calls and batches counted by their
// deliveries, and shows the count on /metrics; below that, or with COALESCE_ABOVE = 0, its
// answers never ask. A real node (RabbitMQ, Redis), signed calls as the Worker signs them.
// The meter's own clock (a quiet second clears it) and its calls-in-flight sign are tested
// with an injected clock.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BRIDGE_BUSY_HEADER, type ServerEvent } from "../../protocol/index.js";
import { BEHIND_IN_FLIGHT, DeliveryLoad } from "../../node-bridge/edge-link/delivery-load.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { signCall } from "../../server-auth/signing.js";
import { NodePool } from "../e2e/support/nodes.js";
import { scrape, valueOf } from "./metrics-text.js";

const PATH = "/internal/deliver";
const typing = (): ServerEvent => ({ type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() });

/** One signed deliver call of `deliveries` deliveries (the single form for 1); its status and whether it asked for batches. */
async function deliver(node: BridgeNode, deliveries = 1): Promise<{ status: number; asks: boolean }> {
  const one = () => ({ event: typing(), userIds: [randomUUID()] });
  const body = JSON.stringify(deliveries === 1 ? one() : { deliveries: Array.from({ length: deliveries }, one) });
  const signed = await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path: PATH, body }, Date.now());
  const response = await fetch(`${node.internalUrl}${PATH}`, { method: "POST", headers: { "Content-Type": "application/json", ...signed }, body });
  await response.arrayBuffer();
  return { status: response.status, asks: response.headers.get(BRIDGE_BUSY_HEADER) === "1" };
}

describe.skipIf(inject("servicesMissing"))("a node asks for batches past COALESCE_ABOVE", () => {
  const pool = new NodePool();
  let busy: BridgeNode;
  let never: BridgeNode;

  beforeAll(async () => {
    // A bound of 5 deliveries a second.
    busy = await pool.start("coalesce", { workerUrl: "http://127.0.0.1:9", logLevel: "error", coalesceAbove: 5 });
    never = await pool.start("coalesce-off", { workerUrl: "http://127.0.0.1:9", logLevel: "error", coalesceAbove: 0 });
  });
  afterAll(() => pool.stopAll());

  it("answers without the header up to the bound, with it past the bound; a batch counts its deliveries", async () => {
    expect(await deliver(busy)).toEqual({ status: 200, asks: false });
    // Six deliveries in one call are past the bound of 5 within the call's own second,
    // whichever second boundaries the calls around it straddle.
    expect(await deliver(busy, 6)).toEqual({ status: 200, asks: true });
    // The next call still asks: its second, or the last whole one, holds those six.
    expect(await deliver(busy)).toEqual({ status: 200, asks: true });
    // What the node counts is on its /metrics, for tuning COALESCE_ABOVE.
    expect(valueOf(await scrape(busy.internalUrl), "edge_im_bridge_worker_deliveries_per_second")).toBeGreaterThanOrEqual(6);
  });

  it("COALESCE_ABOVE = 0: never asks, however many it takes", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(never)));
    expect(answers.every((a) => a.status === 200 && !a.asks)).toBe(true);
    expect(await deliver(never, 50)).toEqual({ status: 200, asks: false });
  });
});

describe("DeliveryLoad: the rate (the busier of the last whole second and this one) and the calls in flight", () => {
  it("counts deliveries, asks past the bound, and a quiet second clears it", () => {
    let now = 10_000;
    const rate = new DeliveryLoad(5, () => now);
    rate.count(5);
    expect([rate.perSecond(), rate.busy()]).toEqual([5, false]);
    rate.count(1);
    expect([rate.perSecond(), rate.busy()]).toEqual([6, true]);
    now += 1_000; // the next second: the last whole one still had 6
    expect([rate.perSecond(), rate.busy()]).toEqual([6, true]);
    rate.count(2);
    now += 1_000; // the one after: the last whole second had 2
    expect([rate.perSecond(), rate.busy()]).toEqual([2, false]);
    now += 5_000; // a long gap: nothing in the last whole second
    expect(rate.perSecond()).toBe(0);
  });

  it("a bound of 0 never asks", () => {
    const rate = new DeliveryLoad(0, () => 0);
    rate.count(1_000_000);
    for (let i = 0; i < BEHIND_IN_FLIGHT; i++) rate.enter();
    expect(rate.busy()).toBe(false);
  });

  it("BEHIND_IN_FLIGHT calls open at once ask at once, under the rate; as they close it stops", () => {
    const load = new DeliveryLoad(500, () => 10_000);
    for (let i = 0; i < BEHIND_IN_FLIGHT - 1; i++) load.enter();
    expect(load.busy()).toBe(false);
    load.enter();
    expect(load.busy()).toBe(true);
    load.leave();
    expect(load.busy()).toBe(false);
  });
});
