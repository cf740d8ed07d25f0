// The default link mode (wrangler.toml: BRIDGE_LINKS 8, BRIDGE_LINK_MODE "busy"): the Worker
// pushes to the core with one call each until the bridge node asks for batches
// (X-Bridge-Busy, past its COALESCE_ABOVE), then through its BridgeLink objects, which
// coalesce. Its own Worker (links and mode left to wrangler.toml; a 100 ms window so that
// pushes made close together through a link surely share a call) and a real bridge node
// that asks past 20 deliveries a second (the setup's few pushes stay under it), behind a
// recording proxy (support/proxied-core.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TestUser } from "./support/api.js";
import type { DeviceClient } from "./support/clients.js";
import { startProxiedCore, type ProxiedCore } from "./support/proxied-core.js";
import type { RecordingProxy } from "./support/recording-proxy.js";

describe.skipIf(inject("servicesMissing"))("default link mode: direct calls until the node asks for batches", () => {
  let core: ProxiedCore;
  let proxy: RecordingProxy;
  let senders: TestUser[];
  let receiver: TestUser;
  let receiverOnCore: DeviceClient;

  beforeAll(async () => {
    // Links and mode left to wrangler.toml; the node asks past 20 deliveries a second.
    core = await startProxiedCore({ name: "bb", senders: 2, vars: { BRIDGE_LINK_WINDOW_MS: "100" }, nodeOverrides: { coalesceAbove: 20 } });
    ({ proxy, senders, receiver, receiverOnCore } = core);
  });
  afterAll(() => core?.stop());

  const send = (from: TestUser, text: string) =>
    from.api.messages.send({ to: { userId: receiver.id }, clientMsgId: `bb-${Math.random().toString(36).slice(2)}`, kind: "text", body: { text } });
  const messageCalls = (from: number) => proxy.calls.slice(from).filter((c) => c.deliveries.some((d) => d.event.type === "message.new"));

  it("under the bound: pushes made at once are single calls of their own, not gathered in a link", async () => {
    const from = proxy.calls.length;
    // One conversation: through a link these three would share its 100 ms window's call.
    const sent = await Promise.all(Array.from({ length: 3 }, (_, i) => send(senders[0]!, `calm ${i}`)));
    await Promise.all(sent.map((m) => receiverOnCore.waitForMessage(m.id)));
    expect(messageCalls(from).map((c) => [c.batch, c.deliveries.length])).toEqual(Array(3).fill([false, 1]));
  });

  it("past the bound the node asks, and the next pushes reach the device in batch calls through the links", async () => {
    // Sixty at once from one sender: however the node's seconds split them, one holds more
    // than 20, so its answers ask; the pushes made after that gather in the conversation's link.
    const first = await Promise.all(Array.from({ length: 60 }, (_, i) => send(senders[1]!, `busy ${i}`)));
    await Promise.all(first.map((m) => receiverOnCore.waitForMessage(m.id)));
    const from = proxy.calls.length;
    const second = await Promise.all(Array.from({ length: 12 }, (_, i) => send(senders[1]!, `still busy ${i}`)));
    await Promise.all(second.map((m) => receiverOnCore.waitForMessage(m.id)));
    const calls = messageCalls(from);
    expect(calls.some((c) => c.batch && c.deliveries.length > 1)).toBe(true);
    expect(calls.length).toBeLessThan(second.length);
    for (const m of [...first, ...second]) expect(receiverOnCore.copiesOf(m.id)).toBe(1);
  });
});
