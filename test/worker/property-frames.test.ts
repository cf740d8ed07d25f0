// Property: whatever a device sends over its edge WebSocket (random text, JSON of any shape,
// frames of the right type with fields of the wrong types, oversized or binary frames), the
// socket stays open and answers with frames of the contract (an error frame, an ack, a
// pong), and nobody else's socket is disturbed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ServerFrame } from "../../protocol/index.js";
import { call, registerUser } from "./http.js";
import { connect } from "./ws-client.js";

const FRAME_TYPES = ["message.send", "read", "typing", "ping", "token.refresh", "ready", "message.ack", "error"];
const FIELDS = ["to", "clientMsgId", "kind", "body", "conversationId", "seq", "t", "text", "fileId", "userId", "groupId"];

const frame = fc.oneof(
  fc.string().map((text) => text as string | ArrayBuffer),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .record({ type: fc.oneof(fc.constantFrom(...FRAME_TYPES), fc.string()), fields: fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue(), { maxKeys: 5 }) })
    .map(({ type, fields }) => JSON.stringify({ ...fields, type })),
  // Over MAX_FRAME_BYTES (64 KiB).
  fc.integer({ min: 65_537, max: 70_000 }).map((size) => JSON.stringify({ type: "ping", pad: "x".repeat(size) })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.buffer as ArrayBuffer),
);

describe("property: no frame breaks a socket", () => {
  it("answers every random frame within the contract and keeps every socket open", async () => {
    const alice = await registerUser("pfa");
    const bob = await registerUser("pfb");
    const socket = await connect(alice.token);
    const bystander = await connect(bob.token);
    let closed: { code: number } | undefined;
    void socket.closed.then((c) => (closed = c));
    let pings = 0;

    await fc.assert(
      fc.asyncProperty(frame, async (data) => {
        socket.ws.send(data);
        // A ping after each frame: its pong proves the socket still reads, and every frame
        // that arrived before it answers the random one.
        const t = ++pings;
        socket.send({ type: "ping", t });
        const answers: unknown[] = [];
        for (;;) {
          const next = await socket.next();
          if (next.type === "pong" && next.t === t) break;
          answers.push(next);
        }
        return closed === undefined && answers.every((a) => ServerFrame.safeParse(a).success);
      }),
      { numRuns: 300, endOnFailure: true },
    );

    expect(closed).toBeUndefined();
    // Bob's socket, open all along, saw none of it and still answers; Alice's account is fine.
    bystander.send({ type: "ping", t: 1 });
    expect((await bystander.next("pong")).t).toBe(1);
    expect(await bystander.leftover(100)).toEqual([]);
    expect((await call("GET", "/api/me", { token: alice.token })).status).toBe(200);
    socket.close();
    bystander.close();
  }, 120_000);
});
