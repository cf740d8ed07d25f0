// Bridge links on (BRIDGE_LINKS > 0): the Worker's pushes to the core go through BridgeLink
// Durable Objects, which send the deliveries of a window as one batch call. Runs its own
// Worker with 8 links and a wide window (100 ms, so pushes made close together surely share
// a call), linked to a real bridge node through a recording proxy: the proxy passes every
// call on to the node and keeps what it carried; for the fault cases it answers for the node
// as a node would (a 503 result for one delivery, re-signing what it passes on, or a refused
// connection).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import type { BridgeNode } from "../../node-bridge/node.js";
import type { DeliverRequest } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";
import { startLocalWorker, type LocalWorker } from "../../scripts/local-worker.js";
import { befriend, registerUser, type TestUser } from "./support/api.js";
import { connectCore, settle, type DeviceClient } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";

/** What the proxy saw of one /internal/deliver call. */
interface DeliverCall {
  deliveries: DeliverRequest[];
  batch: boolean;
}

const textOf = (d: DeliverRequest) => (d.event.type === "message.new" && d.event.message.kind === "text" ? (d.event.message.body as { text: string }).text : undefined);
const messageIdOf = (d: DeliverRequest) => (d.event.type === "message.new" ? d.event.message.id : undefined);

/** The proxy in front of the bridge node. `mode`: pass everything, fail the deliveries of text "fail-me", or refuse connections. */
class RecordingProxy {
  readonly calls: DeliverCall[] = [];
  mode: "pass" | "fail-some" | "down" = "pass";
  target = "";
  private server: Server | undefined;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    // The node may be gone already (teardown): its absence is a 502, as a proxy answers.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.headersSent || res.writeHead(502).end()));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "/";
    if (path !== "/internal/deliver") return this.forward(res, path, body, req.headers);
    const json = JSON.parse(body) as { deliveries?: DeliverRequest[] } & DeliverRequest;
    const deliveries = json.deliveries ?? [json];
    this.calls.push({ deliveries, batch: json.deliveries !== undefined });
    if (this.mode === "down") return void res.socket?.destroy();
    const failed = deliveries.map((d) => this.mode === "fail-some" && textOf(d) === "fail-me");
    if (!failed.some(Boolean)) return this.forward(res, path, body, req.headers);
    // Pass on the others (a call of their own, signed afresh), answer for all as the node would.
    const kept = deliveries.filter((_, i) => !failed[i]);
    if (kept.length > 0) {
      const keptBody = JSON.stringify({ deliveries: kept });
      const signature = await signCall(this.secret, { direction: "worker->bridge", method: "POST", path, body: keptBody });
      const answer = await fetch(`${this.target}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...signature }, body: keptBody });
      expect(answer.status).toBe(200);
    }
    const results = failed.map((f) =>
      f
        ? { status: 503, ok: false, nodes: [], failedNodes: ["proxy"], error: { code: "unavailable", message: "publish failed for 1 node(s)" } }
        : { status: 200, ok: true, nodes: ["node"], failedNodes: [] },
    );
    res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify(json.deliveries ? { ok: false, results } : { error: results[0]!.error, nodes: [], failedNodes: ["proxy"] }));
  }

  private async forward(res: ServerResponse, path: string, body: string, headers: IncomingMessage["headers"]): Promise<void> {
    const pass: Record<string, string> = { "Content-Type": "application/json" };
    for (const name of ["x-edgeim-timestamp", "x-edgeim-signature"]) if (typeof headers[name] === "string") pass[name] = headers[name];
    const answer = await fetch(`${this.target}${path}`, { method: "POST", headers: pass, body });
    res.writeHead(answer.status, { "Content-Type": "application/json" }).end(await answer.text());
  }

  /** The deliveries of message.new seen since `from` (a calls index), by message id. */
  messageIdsSince(from: number): string[] {
    return this.calls.slice(from).flatMap((c) => c.deliveries.map(messageIdOf).filter((id): id is string => id !== undefined));
  }
}

describe.skipIf(inject("servicesMissing"))("bridge links on: pushes coalesced through Durable Objects", () => {
  const pool = new NodePool();
  const proxy = new RecordingProxy(inject("bridgeSecret"));
  let worker: LocalWorker;
  let node: BridgeNode;
  let senders: TestUser[];
  let receiver: TestUser;
  let receiverOnCore: DeviceClient;

  beforeAll(async () => {
    const proxyUrl = await proxy.start();
    worker = await startLocalWorker({
      AUTH_SECRET: inject("authSecret"),
      BRIDGE_SECRET: inject("bridgeSecret"),
      BRIDGE_URL: "",
      BRIDGE_URLS: proxyUrl,
      BRIDGE_LINKS: "8",
      BRIDGE_LINK_WINDOW_MS: "100",
      LIMIT_REGISTRATIONS: "1000/60",
      LIMIT_MESSAGES: "1000/10",
      ADMIN_SECRET: inject("adminSecret"),
    });
    node = await pool.start("links", { workerUrl: worker.url });
    proxy.target = node.internalUrl;
    const register = (prefix: string) => registerUser(prefix, { baseUrl: worker.url });
    receiver = await register("ln_r");
    senders = [];
    for (let i = 0; i < 4; i++) {
      const sender = await register(`ln_s${i}`);
      await befriend(sender, receiver);
      senders.push(sender);
    }
    receiverOnCore = await connectCore(node.socketUrl, receiver.token);
  });
  afterAll(async () => {
    receiverOnCore?.close();
    await pool.stopAll();
    await worker?.dispose();
    await proxy.stop();
  });
  beforeEach(() => {
    proxy.mode = "pass";
  });

  /** Messages whose push the Worker has not recorded (GET /api/admin/stats). */
  const pushesOwed = async (): Promise<number> => {
    const answer = await fetch(`${worker.url}/api/admin/stats`, { headers: { Authorization: `Bearer ${inject("adminSecret")}` } });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { pushesOwed: number }).pushesOwed;
  };
  /** Until the Worker has recorded every push but `owed` (it records after answering). */
  const untilOwed = (owed: number) => vi.waitFor(async () => expect(await pushesOwed()).toBe(owed), { timeout: 5_000, interval: 50 });

  const send = (from: TestUser, text: string, clientMsgId = `ln-${Math.random().toString(36).slice(2)}`) =>
    from.api.messages.send({ to: { userId: receiver.id }, clientMsgId, kind: "text", body: { text } });

  it("many pushes at once reach the Socket.IO device through the real bridge, in fewer calls than messages", async () => {
    const from = proxy.calls.length;
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(senders[i % senders.length]!, `burst ${i}`)));
    await Promise.all(sent.map((m) => receiverOnCore.waitForMessage(m.id)));
    const calls = proxy.calls.slice(from).filter((c) => c.deliveries.some((d) => d.event.type === "message.new"));
    const carried = proxy.messageIdsSince(from);
    expect(new Set(carried)).toEqual(new Set(sent.map((m) => m.id)));
    expect(calls.some((c) => c.batch && c.deliveries.length > 1)).toBe(true);
    expect(calls.length).toBeLessThan(sent.length);
    for (const m of sent) expect(receiverOnCore.copiesOf(m.id)).toBe(1);
  });

  it("one delivery refused inside a batch: only that message stays unpushed, and a retry pushes it alone", async () => {
    proxy.mode = "fail-some";
    const from = proxy.calls.length;
    const [okId, failId] = ["ln-ok-" + Date.now(), "ln-fail-" + Date.now()];
    const [ok, failing] = await Promise.all([send(senders[0]!, "fine", okId), send(senders[0]!, "fail-me", failId)]);
    await receiverOnCore.waitForMessage(ok.id);
    // Both in one batch call, answered 503 with one result of each kind.
    expect(proxy.calls.slice(from).some((c) => c.batch && [ok.id, failing.id].every((id) => c.deliveries.some((d) => messageIdOf(d) === id)))).toBe(true);
    // The batch's answer recorded the push taken and left the refused one owed; that one was
    // refused at the proxy, so no copy of it can arrive.
    await untilOwed(1);
    expect(receiverOnCore.copiesOf(failing.id)).toBe(0);

    // Retries with the same clientMsgIds: the Worker pushes again only what it did not record.
    proxy.mode = "pass";
    const retryFrom = proxy.calls.length;
    await Promise.all([send(senders[0]!, "fine", okId), send(senders[0]!, "fail-me", failId)]);
    await receiverOnCore.waitForMessage(failing.id);
    await untilOwed(0); // the retried push is recorded: no push of either is left to come
    expect(proxy.messageIdsSince(retryFrom)).toEqual([failing.id]);
    expect(receiverOnCore.copiesOf(ok.id)).toBe(1);
    expect(receiverOnCore.copiesOf(failing.id)).toBe(1);
  });

  it("the bridge unreachable: the send succeeds, nothing is recorded, and a retry once it answers pushes it", async () => {
    proxy.mode = "down";
    const from = proxy.calls.length;
    const clientMsgId = `ln-down-${Date.now()}`;
    const stored = await send(senders[1]!, "while down", clientMsgId);
    // Its push reached the proxy, which dropped the connection: no copy can arrive, and it stays owed.
    await vi.waitFor(() => expect(proxy.messageIdsSince(from)).toContain(stored.id), { timeout: 5_000, interval: 20 });
    expect(receiverOnCore.copiesOf(stored.id)).toBe(0);
    expect(await pushesOwed()).toBe(1);

    proxy.mode = "pass";
    expect((await send(senders[1]!, "while down", clientMsgId)).id).toBe(stored.id);
    await receiverOnCore.waitForMessage(stored.id);
    await untilOwed(0);
    expect((await send(senders[1]!, "while down", clientMsgId)).id).toBe(stored.id);
    await settle(1_000); // recorded now: no second push within 1 s
    expect(receiverOnCore.copiesOf(stored.id)).toBe(1);
  });
});
