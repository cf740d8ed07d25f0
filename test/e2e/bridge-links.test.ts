// Bridge links always on (BRIDGE_LINK_MODE "always"): the Worker's pushes to the core go
// through BridgeLink Durable Objects, which send the deliveries of a window as one batch
// call. Runs its own Worker with 8 links and a wide window (100 ms, so pushes made close
// together surely share a call), linked to a real bridge node through a recording proxy
// (support/recording-proxy.ts). The default mode, links only while a node asks for them,
// is bridge-busy.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import type { TestUser } from "./support/api.js";
import { settle, type DeviceClient } from "./support/clients.js";
import { startProxiedCore, type ProxiedCore } from "./support/proxied-core.js";
import { messageIdOf, type RecordingProxy } from "./support/recording-proxy.js";

describe.skipIf(inject("servicesMissing"))("bridge links on: pushes coalesced through Durable Objects", () => {
  let core: ProxiedCore;
  let proxy: RecordingProxy;
  let worker: ProxiedCore["worker"];
  let senders: TestUser[];
  let receiver: TestUser;
  let receiverOnCore: DeviceClient;

  beforeAll(async () => {
    core = await startProxiedCore({
      name: "ln",
      senders: 4,
      vars: { BRIDGE_LINKS: "8", BRIDGE_LINK_MODE: "always", BRIDGE_LINK_WINDOW_MS: "100", ADMIN_SECRET: inject("adminSecret") },
    });
    ({ proxy, worker, senders, receiver, receiverOnCore } = core);
  });
  afterAll(() => core?.stop());
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
