// The outbox (client/sync/outbox.ts) on a `rate_limited` error frame: the send is kept and
// resent with the same clientMsgId, not before the frame's retryAfter.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EdgeImApi } from "../../client/index.js";
import type { Connection } from "../../client/realtime/transport.js";
import { Outbox } from "../../client/sync/outbox.js";
import type { ClientFrame, Message } from "../../protocol/index.js";

describe("outbox: rate_limited", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("resends a refused message after retryAfter, with the same clientMsgId", async () => {
    const sent: ClientFrame[] = [];
    const connection: Connection = { send: (frame) => (sent.push(frame), true), close: () => {} };
    const api = new EdgeImApi({ baseUrl: "http://127.0.0.1:9" }); // never called: the socket is open
    const outbox = new Outbox(api, () => connection, 100, () => {});
    const delivered = outbox.send({ to: { userId: crypto.randomUUID() }, kind: "text", body: { text: "hi" }, clientMsgId: "rl-1" });
    expect(sent).toHaveLength(1);

    outbox.refused({ type: "error", code: "rate_limited", message: "too many messages", retryAfter: 3, clientMsgId: "rl-1" });
    await vi.advanceTimersByTimeAsync(2_900);
    expect(sent).toHaveLength(1); // not after ackTimeoutMs (100 ms): after retryAfter
    await vi.advanceTimersByTimeAsync(150); // the resend at 3 s (its own ack timer would fire at 3.1 s)
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ type: "message.send", clientMsgId: "rl-1" });

    const message = { id: crypto.randomUUID(), clientMsgId: "rl-1" } as Message;
    outbox.acked({ type: "message.ack", clientMsgId: "rl-1", message });
    await expect(delivered).resolves.toBe(message);
  });
});
