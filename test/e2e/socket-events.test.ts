// A Socket.IO socket's events as the edge handles a WebSocket's frames: one socket's sends
// are forwarded one after another, so they are stored in the order the device sent them;
// a client that passes ack callbacks gets its answers through them; and every forwarded
// event answers `unavailable` when the Worker cannot be reached.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AckFrame, ErrorFrame } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, registerUser, syncConversation } from "./support/api.js";
import { ackingSocket, connectCore } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";
import { deadPort } from "./support/ports.js";

describe.skipIf(inject("servicesMissing"))("Socket.IO client events", () => {
  const pool = new NodePool();
  const clients: Array<{ close(): void }> = [];
  let node: BridgeNode;
  let orphan: BridgeNode;

  beforeAll(async () => {
    node = await pool.start("events");
    // A node whose Worker is unreachable: handshakes (local JWT check) and routes work, calls fail.
    orphan = await pool.start("orphan", { workerUrl: `http://127.0.0.1:${await deadPort()}`, logLevel: "silent" });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await pool.stopAll();
  });

  it("one socket's sends, emitted without waiting, are stored in the order they were emitted", async () => {
    const [amy, bo] = [await registerUser("amy"), await registerUser("bo")];
    await befriend(amy, bo);
    const client = await connectCore(node.socketUrl, amy.token);
    clients.push(client);
    // Every other send is an image: the Worker looks its file up before appending, so a
    // text sent just after it would overtake it if the two were forwarded at once.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const { id: fileId } = await amy.api.files.upload("image", "dot.png", png, { contentType: "image/png" });
    // Three bursts of 20 sends, each emitted without waiting for any answer.
    const count = 20;
    const sent: string[] = [];
    let conversationId = "";
    for (let burst = 0; burst < 3; burst++) {
      const clientMsgIds = Array.from({ length: count }, (_, i) => `order-${burst}-${i}-${randomUUID()}`);
      sent.push(...clientMsgIds);
      const acks = await Promise.all(
        clientMsgIds.map((clientMsgId, i) =>
          client.sendMessage(
            {
              to: { userId: bo.id },
              clientMsgId,
              ...(i % 2 === 0 ? { kind: "image" as const, body: { fileId } } : { kind: "text" as const, body: { text: `${i} ${"x".repeat(i * 200)}` } }),
            },
            15_000,
          ) as Promise<AckFrame>,
        ),
      );
      expect(acks.map((ack) => ack.type)).toEqual(Array(count).fill("message.ack"));
      const seqs = acks.map((ack) => ack.message.seq);
      expect(seqs, `burst ${burst}`).toEqual([...seqs].sort((x, y) => x - y));
      conversationId = acks[0]!.message.conversationId;
    }

    const stored = await syncConversation(bo, conversationId);
    expect(stored.map((m) => m.clientMsgId)).toEqual(sent);
  });

  // The SDK takes answers as events; clients that pass an ack callback get them through it
  // (docs/PROTOCOL.md, Part B). Those two tests speak that contract on a bare socket.
  it("a client that passes an ack callback gets each answer through it", async () => {
    const [dee, eli] = [await registerUser("dee"), await registerUser("eli")];
    await befriend(dee, eli);
    const socket = await ackingSocket(node.socketUrl, dee.token);
    clients.push(socket);

    const clientMsgId = randomUUID();
    const ack = (await socket.emitWithAck("message.send", { to: { userId: eli.id }, clientMsgId, kind: "text", body: { text: "hi" } })) as AckFrame;
    expect(ack).toMatchObject({ type: "message.ack", clientMsgId, message: { senderId: dee.id, body: { text: "hi" } } });
    const { conversationId, seq } = ack.message;
    expect(await socket.emitWithAck("typing", { conversationId })).toEqual({ ok: true });
    expect(await socket.emitWithAck("read", { conversationId, seq })).toMatchObject({ conversationId, readSeq: seq, unread: 0 });
    expect(await socket.emitWithAck("ping", { t: 7 })).toEqual({ type: "pong", t: 7 });
  });

  it("typing, send and read answer `unavailable` when the Worker cannot be reached", async () => {
    const cy = await registerUser("cy");
    const client = await ackingSocket(orphan.socketUrl, cy.token);
    clients.push(client);
    const conversationId = `g:${randomUUID()}`;

    const typing = (await client.timeout(12_000).emitWithAck("typing", { conversationId })) as ErrorFrame;
    expect(typing).toMatchObject({ type: "error", code: "unavailable" });

    const clientMsgId = randomUUID();
    const send = (await client
      .timeout(12_000)
      .emitWithAck("message.send", { to: { userId: randomUUID() }, clientMsgId, kind: "text", body: { text: "hi" } })) as ErrorFrame;
    expect(send).toMatchObject({ type: "error", code: "unavailable", clientMsgId });

    const read = (await client.timeout(12_000).emitWithAck("read", { conversationId, seq: 1 })) as ErrorFrame;
    expect(read).toMatchObject({ type: "error", code: "unavailable" });
  });
});
