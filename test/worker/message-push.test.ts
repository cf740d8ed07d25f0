// Every stored message is pushed at least once, and the Worker fails over between bridge
// nodes. The outbox is the messages row itself (pushed_at NULL until the push is
// complete): a retry of the send, or the per-minute sweep, pushes a message whose push
// is not recorded. "The isolate died between the store and the push" is a row left with
// pushed_at NULL, which is what these tests make.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ATTEMPT_TIMEOUT_MS, bridgeUrls, callBridge, resetBridgeHealth } from "../../worker/bridge-link/bridge-client.js";
import { GIVE_UP_AFTER_MS, REPUSH_AFTER_MS, repushUnpushedMessages } from "../../worker/messaging/message-push.js";
import { befriend, registerUser, send, textTo, type TestUser } from "./messaging-fixtures.js";
import { connect, type Frame } from "./ws-client.js";
import { messageDbOfMessage } from "./message-dbs.js";

const pushedAt = async (id: string) =>
  (await messageDbOfMessage(id)).prepare("SELECT pushed_at FROM messages WHERE id = ?1").bind(id).first<number | null>("pushed_at");

/** Waits until the background push of a send is recorded. */
async function recorded(id: string): Promise<number> {
  return vi.waitFor(
    async () => {
      const at = await pushedAt(id);
      if (at === null) throw new Error(`push of ${id} not recorded yet`);
      return at;
    },
    { timeout: 1_000, interval: 20 },
  );
}

/** As if the isolate died after storing: the push of this message is not recorded, and it was stored `ageMs` ago. */
async function pushLost(id: string, ageMs: number): Promise<void> {
  await (await messageDbOfMessage(id)).prepare("UPDATE messages SET pushed_at = NULL, created_at = ?2 WHERE id = ?1").bind(id, Date.now() - ageMs).run();
}

async function pair(): Promise<[TestUser, TestUser]> {
  const [a, b] = [await registerUser("push_a"), await registerUser("push_b")];
  await befriend(a, b);
  return [a, b];
}

const isNew = (id: string) => (f: Frame) => f.type === "message.new" && f.message.id === id;

describe("pushes owed are pushed", () => {
  it("a send records its push; a retry of it does not push again", async () => {
    const [a, b] = await pair();
    const socket = await connect(b.token);
    const body = textTo({ userId: b.user.id }, "once");
    const first = await send(a, body);
    await socket.next(isNew(first.body.message.id));
    expect(await recorded(first.body.message.id)).toBeGreaterThan(0);

    const retry = await send(a, body);
    expect(retry.status).toBe(200);
    expect((await socket.leftover(300)).filter(isNew(first.body.message.id))).toEqual([]);
    socket.close();
  });

  it("a retry of a send whose push was lost pushes it again", async () => {
    const [a, b] = await pair();
    const body = textTo({ userId: b.user.id }, "lost then retried");
    const first = await send(a, body);
    await recorded(first.body.message.id);
    await pushLost(first.body.message.id, 0);

    const socket = await connect(b.token);
    const retry = await send(a, body);
    expect(retry.body.message.id).toBe(first.body.message.id);
    await socket.next(isNew(first.body.message.id));
    expect(await recorded(first.body.message.id)).toBeGreaterThan(0);
    socket.close();
  });

  it("the sweep pushes a lost push past its grace time, leaves a young one alone and gives up on an old one", async () => {
    const [a, b] = await pair();
    const sent = await Promise.all(["owed", "young", "old"].map((t) => send(a, textTo({ userId: b.user.id }, t))));
    const ids = sent.map((r) => r.body.message.id as string);
    await Promise.all(ids.map(recorded));
    await pushLost(ids[0]!, REPUSH_AFTER_MS + 5_000);
    await pushLost(ids[1]!, 1_000);
    await pushLost(ids[2]!, GIVE_UP_AFTER_MS + 5_000);

    const socket = await connect(b.token);
    const result = await repushUnpushedMessages(env, Date.now());
    expect(result).toEqual({ pushed: 1, gaveUp: 1 });
    await socket.next(isNew(ids[0]!));
    expect(await pushedAt(ids[0]!)).toBeGreaterThan(0);
    expect(await pushedAt(ids[1]!)).toBeNull();
    expect(await pushedAt(ids[2]!)).toBe(0);
    const others = (await socket.leftover(300)).filter((f) => f.type === "message.new");
    expect(others).toEqual([]);
    socket.close();
  });
});

describe("bridge nodes: failover", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetBridgeHealth();
  });

  it("BRIDGE_URLS lists the nodes; BRIDGE_URL alone is a one-node list; neither is no bridge", async () => {
    expect(bridgeUrls({ BRIDGE_URLS: " http://a.test/, http://b.test,,http://a.test ", BRIDGE_URL: "http://c.test" })).toEqual([
      "http://a.test",
      "http://b.test",
    ]);
    expect(bridgeUrls({ BRIDGE_URLS: "", BRIDGE_URL: "http://c.test/" })).toEqual(["http://c.test"]);
    expect(await callBridge({ ...env, BRIDGE_URLS: "", BRIDGE_URL: "" }, "/internal/deliver", {})).toBe("no-bridge");
  });

  /** A fetch per node: each answers as `answers[host]` says; the hosts called are recorded. */
  function nodes(answers: Record<string, "down" | "hang" | number>) {
    const called: string[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      called.push(url.host);
      const answer = answers[url.host];
      if (answer === "down") throw new TypeError("connection refused");
      if (answer === "hang") {
        return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
      }
      return new Response(JSON.stringify({ ok: answer === 200 }), { status: answer });
    });
    return called;
  }
  const two = { ...env, BRIDGE_URL: "", BRIDGE_URLS: "http://a.test,http://b.test" };

  it("a dead node is passed over, then tried last until its down mark ends", async () => {
    const called = nodes({ "a.test": "down", "b.test": 200 });
    expect(await callBridge(two, "/internal/deliver", {})).toBe("taken");
    expect(await callBridge(two, "/internal/deliver", {})).toBe("taken");
    expect(called).toEqual(["a.test", "b.test", "b.test"]);
  });

  it("a hung node costs one attempt's timeout; a 5xx fails over; a 4xx does not", async () => {
    let called = nodes({ "a.test": "hang", "b.test": 200 });
    const started = Date.now();
    expect(await callBridge(two, "/internal/presence", {}, "hub->bridge")).toBe("taken");
    expect(Date.now() - started).toBeLessThan(ATTEMPT_TIMEOUT_MS + 1_000);
    expect(called).toEqual(["a.test", "b.test"]);

    resetBridgeHealth();
    called = nodes({ "a.test": 503, "b.test": 200 });
    expect(await callBridge(two, "/internal/deliver", {})).toBe("taken");
    expect(called).toEqual(["a.test", "b.test"]);

    resetBridgeHealth();
    called = nodes({ "a.test": 401, "b.test": 200 });
    expect(await callBridge(two, "/internal/deliver", {})).toBe("failed");
    expect(called).toEqual(["a.test"]);
  });

  it("the sweep stops at the first push that finds every node down, and goes on once one answers", async () => {
    const [a, b] = await pair();
    const sent = await Promise.all(["x", "y"].map((t) => send(a, textTo({ userId: b.user.id }, t))));
    const ids = sent.map((r) => r.body.message.id as string);
    await Promise.all(ids.map(recorded));
    for (const id of ids) await pushLost(id, REPUSH_AFTER_MS + 5_000);

    let called = nodes({ "a.test": "down", "b.test": "down" });
    expect(await repushUnpushedMessages(two, Date.now())).toEqual({ pushed: 0, gaveUp: 0 });
    // One push, each node tried once (starting at the conversation's node), then the sweep stopped.
    expect([...called].sort()).toEqual(["a.test", "b.test"]);
    expect(await pushedAt(ids[0]!)).toBeNull();

    called = nodes({ "a.test": "down", "b.test": 200 });
    resetBridgeHealth();
    expect(await repushUnpushedMessages(two, Date.now())).toEqual({ pushed: 2, gaveUp: 0 });
    for (const id of ids) expect(await pushedAt(id)).toBeGreaterThan(0);
  });

  it("every node down: the call fails, each node tried once", async () => {
    const called = nodes({ "a.test": "down", "b.test": 502 });
    expect(await callBridge(two, "/internal/deliver", {})).toBe("failed");
    expect(called).toEqual(["a.test", "b.test"]);
  });
});
