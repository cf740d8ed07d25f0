// Property, on a Socket.IO gateway node: whatever a client emits (the documented events
// with payloads of any shape, unknown event names, extra arguments, with or without an ack
// callback), the node answers within the contract (an error frame or the event's answer)
// and keeps the socket, and every other socket on the node, connected.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Socket } from "socket.io-client";
import { ErrorFrame } from "../../protocol/index.js";
import { registerUser } from "./support/api.js";
import { ackingSocket } from "./support/clients.js";

const EVENTS = ["message.send", "read", "typing", "ping", "token.refresh"];
// socket.io-client refuses to emit these itself.
const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
const ACK_WAIT_MS = 10_000;

const emission = fc.record({
  event: fc.oneof(fc.constantFrom(...EVENTS), fc.string({ minLength: 1, maxLength: 20 }).filter((name) => !RESERVED.has(name))),
  args: fc.array(fc.oneof(fc.jsonValue(), fc.string({ maxLength: 70_000 })), { maxLength: 3 }),
  withAck: fc.boolean(),
});

/** Emits with an ack callback; resolves with the answer, or rejects after ACK_WAIT_MS. */
function ask(socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
  return socket.timeout(ACK_WAIT_MS).emitWithAck(event, ...args);
}

describe.skipIf(inject("servicesMissing"))("property: no event breaks a Socket.IO connection", () => {
  let socket: Socket;
  let bystander: Socket;

  beforeAll(async () => {
    const [alice, bob] = await Promise.all([registerUser("pse"), registerUser("psb")]);
    socket = await ackingSocket(inject("linkSocketUrl"), alice.token);
    bystander = await ackingSocket(inject("linkSocketUrl"), bob.token);
  });
  afterAll(() => {
    socket?.disconnect();
    bystander?.disconnect();
  });

  it("answers documented events within the contract and keeps every socket connected", async () => {
    let pings = 0;
    await fc.assert(
      fc.asyncProperty(emission, async ({ event, args, withAck }) => {
        const known = EVENTS.includes(event);
        if (withAck && known) {
          // A documented event with an ack always gets an answer: its result or an error frame.
          const answer = await ask(socket, event, ...args);
          if (typeof answer !== "object" || answer === null) return false;
          if ("type" in answer && answer.type === "error" && !ErrorFrame.safeParse(answer).success) return false;
        } else {
          socket.emit(event, ...args);
        }
        // Still connected and still answering, in order, after whatever that was.
        const t = ++pings;
        const pong = (await ask(socket, "ping", { t })) as { type: string; t?: number; code?: string };
        return socket.connected && ((pong.type === "pong" && pong.t === t) || (pong.type === "error" && pong.code === "rate_limited"));
      }),
      { numRuns: 150, endOnFailure: true },
    );
    expect(socket.connected).toBe(true);
    expect(bystander.connected).toBe(true);
    expect(await ask(bystander, "ping", { t: 7 })).toEqual({ type: "pong", t: 7 });
  }, 180_000);
});
