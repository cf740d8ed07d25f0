// A bridge call that times out on the Worker's side is not a failure yet: a node under load
// may answer seconds late, having taken the call. Such an answer is logged and counted as
// a late success, lifts the node's down mark, and makes the call "taken".
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ATTEMPT_TIMEOUT_MS, bridgeCallCounts, callBridge, isEveryBridgeNodeDown, resetBridgeHealth } from "../../worker/bridge-link/bridge-client.js";

/** A node whose answer the test releases: `release(status)` answers the call it holds. */
function slowNodes(instant: Record<string, number> = {}) {
  const called: string[] = [];
  const held = new Map<string, (status: number) => void>();
  vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
    const host = new URL(String(input)).host;
    called.push(host);
    const status = instant[host];
    if (status !== undefined) return new Response("{}", { status });
    return new Promise<Response>((resolve) => held.set(host, (s) => resolve(new Response("{}", { status: s }))));
  });
  return { called, release: (host: string, status = 200) => held.get(host)!(status) };
}

/** console.warn lines, and a wait for the first one matching. */
function warnings() {
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    const line = args.map(String).join(" ");
    lines.push(line);
    for (const w of waiters.filter((w) => w.re.test(line))) w.resolve(line);
  });
  const next = (re: RegExp) => {
    const seen = lines.find((l) => re.test(l));
    return seen ? Promise.resolve(seen) : new Promise<string>((resolve) => waiters.push({ re, resolve }));
  };
  return { lines, next };
}

const one = { ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://slow.test" };
const two = { ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://slow.test,http://quick.test" };

describe("bridge calls answered late", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    resetBridgeHealth();
  });

  it("one node answering after the attempt timeout: a late success, not a failure, and the node is not left down", async () => {
    const nodes = slowNodes();
    const log = warnings();
    const before = bridgeCallCounts();
    const call = callBridge(one, "/internal/deliver", {});
    expect(await log.next(/timed out/)).toContain(`timed out after ${ATTEMPT_TIMEOUT_MS} ms`);
    expect(isEveryBridgeNodeDown(one)).toBe(true); // tried last while it does not answer
    nodes.release("slow.test", 200);
    expect(await call).toBe("taken");
    expect(await log.next(/succeeded late/)).toMatch(/slow\.test succeeded late, after \d+ ms/);
    expect(bridgeCallCounts()).toEqual({ ...before, timeouts: before.timeouts + 1, lateSuccesses: before.lateSuccesses + 1 });
    expect(log.lines.filter((l) => / failed/.test(l))).toEqual([]);
    expect(isEveryBridgeNodeDown(one)).toBe(false);
  });

  it("a late answer that is an error is a failure, and the node stays down", async () => {
    const nodes = slowNodes();
    const log = warnings();
    const before = bridgeCallCounts();
    const call = callBridge(one, "/internal/deliver", {});
    await log.next(/timed out/);
    nodes.release("slow.test", 503);
    expect(await call).toBe("failed");
    expect(await log.next(/failed \d+ ms after it started, having timed out/)).toContain("503");
    expect(bridgeCallCounts()).toEqual({ ...before, failures: before.failures + 1, timeouts: before.timeouts + 1 });
    expect(isEveryBridgeNodeDown(one)).toBe(true);
  });

  it("with two nodes the call moves on at the timeout; the first node's late success puts it back first in line", async () => {
    const nodes = slowNodes({ "quick.test": 200 });
    const log = warnings();
    expect(await callBridge(two, "/internal/deliver", {})).toBe("taken");
    expect(nodes.called).toEqual(["slow.test", "quick.test"]);
    // Down meanwhile: the next call goes to the quick node first.
    expect(await callBridge(two, "/internal/deliver", {})).toBe("taken");
    expect(nodes.called).toEqual(["slow.test", "quick.test", "quick.test"]);

    nodes.release("slow.test", 200);
    await log.next(/succeeded late/);
    nodes.called.length = 0;
    const third = callBridge(two, "/internal/deliver", {});
    expect(await log.next(/timed out/)).toContain("slow.test"); // tried first again (and slow again)
    nodes.release("slow.test", 200);
    expect(await third).toBe("taken");
    expect(nodes.called[0]).toBe("slow.test");
  });
});
