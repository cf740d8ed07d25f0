// The ChatClient on both transports against the real system (local Worker, bridge nodes on
// RabbitMQ and Redis): chat across transports, exact sync through drops, gaps, duplicates
// and lost acks, reconnect with backoff, 4001, token expiry. Assertions are what a user
// sees: the "message" events (each message once, in order) and the connection status.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ChatClient, EdgeImApi, MemoryStore, edgeTransport, socketIoTransport, type ChatClientOptions, type Transport } from "../../client/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import type { Message } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { befriend, registerUser, type TestUser } from "../e2e/support/api.js";
import { connectEdge, eventually, settle } from "../e2e/support/clients.js";
import { NodePool } from "../e2e/support/nodes.js";
import { sessionIdOf } from "../e2e/support/tokens.js";
import { startProxy } from "./support/proxy.js";
import { Watch } from "./support/sdk.js";
import { tamper } from "./support/tamper.js";

const text = (to: { userId: string } | { groupId: string }, body: string) => ({ to, kind: "text" as const, body: { text: body } });
const texts = (messages: Message[]) => messages.map((m) => (m.body as { text?: string }).text);
/** Small waits so that reconnects take milliseconds, not seconds. */
const FAST = { backoff: { baseMs: 50, capMs: 400 }, heartbeatMs: 0 } satisfies Partial<ChatClientOptions>;

describe.skipIf(inject("servicesMissing"))("ChatClient", () => {
  const pool = new NodePool();
  let node: BridgeNode;
  const open: Array<{ close(): void }> = [];

  const chat = (user: TestUser, transport: ChatClientOptions["transport"], options: Partial<ChatClientOptions> = {}) => {
    const client = new ChatClient({ api: user.api, transport, ...FAST, ...options });
    open.push(client);
    return { client, watch: new Watch(client) };
  };
  const pair = async (a: string, b: string) => {
    const [x, y] = [await registerUser(a), await registerUser(b)];
    return { x, y, conversationId: await befriend(x, y) };
  };

  beforeAll(async () => {
    node = await pool.start("sdk");
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(() => pool.stopAll());

  it("an edge client and a Socket.IO client chat both ways; each message once, in order, on both sides", async () => {
    const { x: alice, y: bob, conversationId } = await pair("alice", "bob");
    const a = chat(alice, { kind: "edge" });
    const b = chat(bob, { kind: "socket.io", url: node.socketUrl });
    const iterator = b.client.events();
    await Promise.all([a.client.connect(), b.client.connect()]);
    expect([a.client.status, b.client.status]).toEqual(["live", "live"]);
    expect(a.watch.statuses()).toEqual(["connecting", "syncing", "live"]);

    const hello = await a.client.send(text({ userId: bob.user.id }, "hello from the edge"));
    expect(hello).toMatchObject({ conversationId, seq: 1, senderId: alice.user.id });
    await b.watch.message("hello at bob", (m) => m.id === hello.id);
    const reply = await b.client.send(text({ userId: alice.user.id }, "hello from Socket.IO"));
    await a.watch.message("reply at alice", (m) => m.id === reply.id);

    // Both hold the conversation in seq order; my own acked sends are among my "message" events.
    for (const side of [a, b]) {
      expect(texts(side.client.messages(conversationId))).toEqual(["hello from the edge", "hello from Socket.IO"]);
      expect(side.client.lastSeenSeq(conversationId)).toBe(2);
      expect(side.watch.of("message").map((m) => m.seq)).toEqual([1, 2]);
    }

    // Typing, a read receipt and a recall reach the other side as typed events.
    await a.client.typing(conversationId);
    await b.watch.until("typing", () => b.watch.of("typing").some((e) => e.userId === alice.user.id));
    await b.client.markRead(conversationId, 2);
    await a.watch.until("read receipt", () => a.watch.of("read").some((e) => e.userId === bob.user.id && e.seq === 2));
    await alice.api.messages.recall(hello.id);
    await b.watch.until("recall", () => b.watch.of("recalled").some((e) => e.messageId === hello.id));
    expect(b.client.messages(conversationId)[0]).toMatchObject({ id: hello.id, body: {}, recalledAt: expect.any(Number) });
    await b.watch.message("the recall's system message", (m) => m.seq === 3 && m.kind === "system");
    expect(b.watch.of("recalled")).toHaveLength(1); // the push and the system message: one event

    // The async iterator saw the same stream, as a discriminated union, and ends on close().
    b.client.close();
    const seen: string[] = [];
    for await (const event of iterator) if (event.type === "message") seen.push(event.data.id);
    expect(seen).toEqual(b.watch.of("message").map((m) => m.id));
    expect(b.client.status).toBe("closed");
  });

  it("reconnects with backoff after the network drops, and syncs what it missed exactly once", async () => {
    const { x: carol, y: dave, conversationId } = await pair("carol", "dave");
    const proxy = await startProxy(inject("workerUrl"));
    try {
      // Carol's session, with every request and socket going through the proxy.
      const api = new EdgeImApi({ baseUrl: proxy.url, tokens: carol.tokens });
      const c = chat({ ...carol, api }, { kind: "edge" }, { backoff: { baseMs: 100, capMs: 400 } });
      await c.client.connect();

      proxy.cut();
      await c.watch.status("offline");
      const missed = [await dave.api.messages.send(text({ userId: carol.user.id }, "while you were away 1"))];
      missed.push(await dave.api.messages.send(text({ userId: carol.user.id }, "while you were away 2")));
      // Let it fail a few attempts while cut off: each wait is longer than the last.
      await c.watch.until("three failed attempts", () => c.watch.statuses().filter((s) => s === "connecting").length >= 4);
      proxy.restore();
      await c.watch.status("live");
      await c.watch.message("the second missed message", (m) => m.id === missed[1]!.id);

      expect(missed.map((m) => c.watch.copies(m.id))).toEqual([1, 1]);
      expect(texts(c.client.messages(conversationId))).toEqual(["while you were away 1", "while you were away 2"]);
      const connecting = c.watch.log.filter((e) => e.type === "status" && e.data === "connecting").map((e) => e.at);
      const waits = connecting.slice(2).map((at, i) => at - connecting[i + 1]!); // after the drop: attempt 0, 1, 2…
      // Half-jittered: attempt k waits between half and all of min(400, 100·2^k) ms (plus the failed attempt itself).
      waits.forEach((wait, k) => expect(wait).toBeGreaterThanOrEqual(Math.min(400, 100 * 2 ** (k + 1)) / 2 - 5));
      expect(c.watch.statuses().slice(-2)).toEqual(["syncing", "live"]);
    } finally {
      await proxy.close();
    }
  });

  it("a half-open socket (nothing arrives, nothing closes) is caught by the heartbeat and replaced", async () => {
    const { x: yan, y: zoe } = await pair("yan", "zoe");
    const proxy = await startProxy(inject("workerUrl"));
    try {
      const api = new EdgeImApi({ baseUrl: proxy.url, tokens: yan.tokens });
      const y = chat({ ...yan, api }, { kind: "edge" }, { heartbeatMs: 150 });
      await y.client.connect();
      proxy.freeze(); // the open socket goes silent; new connections still work
      const missed = await zoe.api.messages.send(text({ userId: yan.user.id }, "sent into the silence"));
      await y.watch.status("offline");
      await y.watch.message("the message, after reconnecting", (m) => m.id === missed.id);
      await y.watch.status("live");
      expect(y.watch.statuses()).toEqual(["connecting", "syncing", "live", "offline", "connecting", "syncing", "live"]);
      expect(y.watch.copies(missed.id)).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it("a Socket.IO node restart: offline, back on the same port, the missed message once", async () => {
    const restartable = new NodePool();
    try {
      const first = await restartable.start("restart");
      const port = Number(new URL(first.socketUrl).port);
      const { x: erin, y: finn, conversationId } = await pair("erin", "finn");
      const e = chat(erin, { kind: "socket.io", url: first.socketUrl });
      await e.client.connect();

      await restartable.stopAll();
      await e.watch.status("offline");
      const missed = await finn.api.messages.send(text({ userId: erin.user.id }, "sent while the node was down"));
      await restartable.start("restart", { port });
      await e.watch.message("the missed message", (m) => m.id === missed.id);
      await e.watch.status("live");
      const after = await finn.api.messages.send(text({ userId: erin.user.id }, "pushed by the new node"));
      await e.watch.message("a live push", (m) => m.id === after.id);
      expect([e.watch.copies(missed.id), e.watch.copies(after.id)]).toEqual([1, 1]);
      expect(e.client.messages(conversationId).map((m) => m.seq)).toEqual([1, 2]);
    } finally {
      await restartable.stopAll();
    }
  });

  it("a lost push leaves a gap: the next push triggers a sync that fills it, in order", async () => {
    const { x: gil, y: hal, conversationId } = await pair("gil", "hal");
    let dropped = 0;
    const transport = tamper(edgeTransport(gil.api), {
      inbound: (frame) => (frame.type === "message.new" && dropped++ === 0 ? [] : [frame]),
    });
    const g = chat(gil, transport);
    await g.client.connect();

    const lost = await hal.api.messages.send(text({ userId: gil.user.id }, "this push is lost"));
    const next = await hal.api.messages.send(text({ userId: gil.user.id }, "this one shows the gap"));
    await g.watch.message("the gap filled", (m) => m.id === next.id);
    expect(g.watch.of("message").map((m) => m.id)).toEqual([lost.id, next.id]);
    expect(g.client.lastSeenSeq(conversationId)).toBe(2);
  });

  it("conversation.updated makes it sync that conversation (here it stands in for a lost push)", async () => {
    const { x: ivy, y: joe, conversationId } = await pair("ivy", "joe");
    const asUpdate = (frame: { type?: string } & Record<string, unknown>) => {
      if (frame.type !== "message.new") return [frame];
      const message = frame["message"] as Message;
      return [{ type: "conversation.updated", conversationId: message.conversationId, lastSeq: message.seq }];
    };
    const i = chat(ivy, tamper(edgeTransport(ivy.api), { inbound: asUpdate }));
    await i.client.connect();
    const sent = await joe.api.messages.send(text({ userId: ivy.user.id }, "only announced"));
    await i.watch.message("the announced message", (m) => m.id === sent.id);
    expect(i.watch.of("event").map((e) => e.type)).toContain("conversation.updated");
    expect(i.client.lastSeenSeq(conversationId)).toBe(1);
  });

  it("a stale lastSeenSeq from the local store: connect syncs from it, nothing held is emitted again", async () => {
    const { x: ida, y: jon, conversationId } = await pair("ida", "jon");
    const sent: Message[] = [];
    for (const body of ["one", "two", "three"]) sent.push(await jon.api.messages.send(text({ userId: ida.user.id }, body)));
    const store = new MemoryStore();
    store.save(conversationId, 1, [sent[0]!]);

    const i = chat(ida, { kind: "edge" }, { store });
    await i.client.connect();
    expect(i.watch.of("message").map((m) => m.seq)).toEqual([2, 3]);
    expect(texts(i.client.messages(conversationId))).toEqual(["one", "two", "three"]);
    expect(store.load().find((c) => c.conversationId === conversationId)).toMatchObject({ lastSeenSeq: 3 });
  });

  it("a duplicated push is one message event", async () => {
    const { x: kai, y: liv } = await pair("kai", "liv");
    const k = chat(kai, tamper(edgeTransport(kai.api), { inbound: (frame) => (frame.type === "message.new" ? [frame, frame] : [frame]) }));
    await k.client.connect();
    const sent: Message[] = [];
    for (const body of ["a", "b", "c"]) sent.push(await liv.api.messages.send(text({ userId: kai.user.id }, body)));
    await k.watch.message("the last one", (m) => m.id === sent[2]!.id);
    expect(sent.map((m) => k.watch.copies(m.id))).toEqual([1, 1, 1]);
    expect(k.watch.of("event").filter((e) => e.type === "message.new")).toHaveLength(6); // the raw pushes, twice each
  });

  it("a lost ack: the send is resent with the same clientMsgId and stored once", async () => {
    const { x: max, y: noa, conversationId } = await pair("max", "noa");
    let acks = 0;
    const transport = tamper(edgeTransport(max.api), { inbound: (frame) => (frame.type === "message.ack" && acks++ === 0 ? [] : [frame]) });
    const m = chat(max, transport, { ackTimeoutMs: 300 });
    const n = chat(noa, { kind: "socket.io", url: node.socketUrl });
    await Promise.all([m.client.connect(), n.client.connect()]);

    const stored = await m.client.send(text({ userId: noa.user.id }, "are you there?"));
    const sends = transport.sent.filter((f) => f.type === "message.send");
    expect(sends).toHaveLength(2);
    expect(new Set(sends.map((f) => (f as { clientMsgId: string }).clientMsgId))).toEqual(new Set([stored.clientMsgId]));
    const history = await noa.api.conversations.history(conversationId, { afterSeq: 0 });
    expect(history.messages.map((x) => x.clientMsgId)).toEqual([stored.clientMsgId]);
    await n.watch.message("at Noa", (x) => x.id === stored.id);
    await settle(300); // a second push would come right after the first: none within 300 ms
    expect([m.watch.copies(stored.id), n.watch.copies(stored.id)]).toEqual([1, 1]);
  });

  it("a send while offline goes over HTTP", async () => {
    const { x: oda, y: pia } = await pair("oda", "pia");
    const o = chat(oda, { kind: "edge" }); // never connected: no socket
    const stored = await o.client.send(text({ userId: pia.user.id }, "by HTTP"));
    expect(stored.senderId).toBe(oda.user.id);
    expect(oda.requests.filter((r) => r === "POST /api/messages")).toHaveLength(1);
    await o.watch.message("my own message", (m) => m.id === stored.id);
    expect(o.client.messages(stored.conversationId).map((m) => m.id)).toEqual([stored.id]);
  });

  // The local Worker (wrangler's dev server) leaves the TCP connection open after a Durable
  // Object closes a socket, so the client's close event, with its 4001, comes ~15 s late here.
  it("4001 (another connection of this device took over): status replaced, no reconnect, until connect()", async () => {
    const quinn = await registerUser("quinn");
    const q = chat(quinn, { kind: "edge" }, { backoff: { baseMs: 20, capMs: 40 } });
    await q.client.connect();
    const other = await connectEdge(quinn.api.session()!.accessToken); // same token: same device
    open.push(other);
    await q.watch.status("replaced", 25_000);
    await settle(500); // backoff here is 20-40 ms: a reconnect would have shown within 500 ms
    expect(q.watch.statuses().slice(-1)).toEqual(["replaced"]);
    expect(q.client.status).toBe("replaced");

    // "Use it here": connect() takes the device back (and replaces the other socket in turn).
    await q.client.connect();
    expect(q.watch.statuses().slice(-4)).toEqual(["replaced", "connecting", "syncing", "live"]);
  }, 40_000);

  it.each(["edge", "socket.io"] as const)("%s: a handshake refused for an expired token refreshes once and connects", async (kind) => {
    const { x: sam } = await pair("sam", "tia");
    const stored = sam.tokens.load()!;
    // Expired an hour ago, though the device believes it valid (a wrong clock): the handshake says.
    const expired = await signAccessToken(inject("authSecret"), { userId: sam.user.id, deviceId: stored.deviceId, sessionId: randomUUID() }, 60, Date.now() - 3_600_000);
    sam.tokens.save({ ...stored, accessToken: expired, expiresAt: Date.now() + 3_600_000 });
    const s = chat(sam, kind === "edge" ? { kind } : { kind, url: node.socketUrl });
    await s.client.connect();
    expect(sam.requests.filter((r) => r === "POST /api/auth/refresh")).toHaveLength(1);
    expect(sam.api.session()!.accessToken).not.toBe(expired);
  });

  it("Socket.IO: when the gateway's token expires, the SDK refreshes and hands the new one over", async () => {
    const { x: uma, y: vic } = await pair("uma", "vic");
    const stored = uma.tokens.load()!;
    const shortLived = await signAccessToken(inject("authSecret"), { userId: uma.user.id, deviceId: stored.deviceId, sessionId: sessionIdOf(stored.accessToken) }, 1);
    const expiresAt = (Math.floor(Date.now() / 1000) + 1) * 1000;
    uma.tokens.save({ ...stored, accessToken: shortLived, expiresAt: Date.now() + 3_600_000 }); // believed valid: no early refresh
    const transport = tamper(socketIoTransport(node.socketUrl));
    const u = chat(uma, transport);
    await u.client.connect();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50))); // until the token's exp

    // The gateway refuses the send (token_expired); it goes over HTTP, which refreshes first.
    const first = await u.client.send(text({ userId: vic.user.id }, "after expiry"));
    expect(first.senderId).toBe(uma.user.id);
    expect(uma.requests.filter((r) => r === "POST /api/auth/refresh")).toHaveLength(1);
    await eventually(async () => transport.handOvers.length === 1, "the new token handed over");
    expect(transport.handOvers).toEqual([uma.api.session()!.accessToken]);

    const second = await u.client.send(text({ userId: vic.user.id }, "over the same socket"));
    expect(second.seq).toBe(first.seq + 1);
    // HTTP carried only the first send (refused once, then stored); the second went over the same socket.
    expect(uma.requests.filter((r) => r === "POST /api/messages")).toHaveLength(2);
    expect(transport.sent.filter((f) => f.type === "message.send")).toHaveLength(2);
    expect(transport.opened).toBe(1);
  });

  it("loadOlder pages history backwards into the store", async () => {
    const { x: wes, y: xia, conversationId } = await pair("wes", "xia");
    for (const body of ["1", "2", "3", "4", "5"]) await xia.api.messages.send(text({ userId: wes.user.id }, body));
    const w = chat(wes, { kind: "edge" }, { initialHistory: 2 });
    await w.client.connect();
    expect(texts(w.client.messages(conversationId))).toEqual(["4", "5"]);
    expect(texts(await w.client.loadOlder(conversationId, 2))).toEqual(["2", "3"]);
    expect(texts(await w.client.loadOlder(conversationId, 2))).toEqual(["1"]);
    expect(await w.client.loadOlder(conversationId, 2)).toEqual([]);
    expect(texts(w.client.messages(conversationId))).toEqual(["1", "2", "3", "4", "5"]);
    expect(w.watch.of("message").map((m) => m.seq)).toEqual([4, 5]); // history is returned, not replayed as new
  });
});
