// Which bridge node a call enters by (worker/bridge-link/bridge-client.ts, attemptOrder):
// a push starts at the node its conversation hashes to, so the entry work spreads over every
// node of BRIDGE_URLS while one conversation's pushes keep entering by one node; a node
// marked down is tried last; a call without a key starts at the first node.
import { afterEach, describe, expect, it } from "vitest";
import { attemptOrder, resetBridgeHealth } from "../../worker/bridge-link/bridge-client.js";
import { stableHash } from "../../worker/stable-hash.js";

const NODES = ["http://a.test", "http://b.test", "http://c.test", "http://d.test"];

describe("the bridge node a call enters by", () => {
  afterEach(() => resetBridgeHealth());

  it("spreads 4,000 conversations over 4 nodes within 15% of even, each conversation always on the same node", () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const key = `d:${crypto.randomUUID()}:${crypto.randomUUID()}`;
      const first = attemptOrder(NODES, Date.now(), key)[0]!;
      expect(attemptOrder(NODES, Date.now(), key)[0]).toBe(first);
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect([...firsts.keys()].sort()).toEqual(NODES);
    for (const count of firsts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });

  it("fails over round the list from the key's node, every node once", () => {
    const key = "g:some-group";
    const start = stableHash(key) % NODES.length;
    expect(attemptOrder(NODES, Date.now(), key)).toEqual([...NODES.slice(start), ...NODES.slice(0, start)]);
  });

  it("without a key starts at the first node, in configured order", () => {
    expect(attemptOrder(NODES, Date.now())).toEqual(NODES);
  });
});
