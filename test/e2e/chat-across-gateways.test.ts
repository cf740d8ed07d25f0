// End to end: the local Worker + three bridge nodes on the real RabbitMQ and Redis +
// devices on the SDK's Socket.IO and edge transports. Users on different gateways chat as if
// on one server, each push arrives exactly once, and the broker carries one envelope
// per target node.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EDGE_NODE_ID, type AckFrame, type ErrorFrame } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, createGroup, loginDevice, registerUser, sendText } from "./support/api.js";
import { ackingSocket, type DeviceClient, Devices, eventually, settle } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";
import { linkStats, publishesSince } from "./support/stats.js";

const textFrame = (to: { userId: string } | { groupId: string }, text: string) => ({
  to,
  clientMsgId: randomUUID(),
  kind: "text" as const,
  body: { text },
});

describe.skipIf(inject("servicesMissing"))("chat across Socket.IO nodes and the edge", () => {
  const pool = new NodePool();
  const devices = new Devices();
  let a: BridgeNode, b: BridgeNode, c: BridgeNode;

  const core = (node: BridgeNode, token: string) => devices.core(node, token);
  const edge = (token: string) => devices.edge(token);
  /** The Durable Object tells the bridge asynchronously; wait until the edge route is in Redis. */
  const edgeRouted = (node: BridgeNode, userId: string, deviceId: string) =>
    eventually(async () => (await node.routes.routesOf([userId])).get(userId)?.get(deviceId) === EDGE_NODE_ID, "edge route");

  beforeAll(async () => {
    [a, b, c] = await Promise.all([pool.start("a"), pool.start("b"), pool.start("c")]);
  });
  afterAll(async () => {
    devices.closeAll();
    await pool.stopAll();
  });

  it("1:1 between Socket.IO users on different nodes, both ways, once each", async () => {
    const [alice, bob] = [await registerUser("alice"), await registerUser("bob")];
    await befriend(alice, bob);
    const [aliceOnA, bobOnB] = [await core(a, alice.token), await core(b, bob.token)];

    const ack = (await aliceOnA.sendMessage(textFrame({ userId: bob.id }, "hi bob"))) as AckFrame;
    expect(ack.type).toBe("message.ack");
    expect(ack.message.body).toEqual({ text: "hi bob" });
    const got = await bobOnB.waitForMessage(ack.message.id);
    expect(got.message.seq).toBe(ack.message.seq);

    const reply = (await bobOnB.sendMessage(textFrame({ userId: alice.id }, "hi alice"))) as AckFrame;
    await aliceOnA.waitForMessage(reply.message.id);
    await settle();
    expect(bobOnB.copiesOf(ack.message.id)).toBe(1);
    expect(aliceOnA.copiesOf(reply.message.id)).toBe(1);
    // The sending device got its ack, not a push of its own message.
    expect(aliceOnA.copiesOf(ack.message.id)).toBe(0);
  });

  it("Socket.IO user <-> edge user, both ways", async () => {
    const [carol, dave] = [await registerUser("carol"), await registerUser("dave")];
    await befriend(carol, dave);
    const carolOnA = await core(a, carol.token);
    const daveAtEdge = await edge(dave.token);

    const ack = (await carolOnA.sendMessage(textFrame({ userId: dave.id }, "to the edge"))) as AckFrame;
    await daveAtEdge.waitForMessage(ack.message.id);

    const frame = { type: "message.send" as const, ...textFrame({ userId: carol.id }, "from the edge") };
    daveAtEdge.send(frame);
    const pushed = await carolOnA.waitFor((e) => e.type === "message.new" && e.message.clientMsgId === frame.clientMsgId, "edge message");
    await settle();
    expect(daveAtEdge.copiesOf(ack.message.id)).toBe(1);
    expect(carolOnA.copiesOf((pushed as { message: { id: string } }).message.id)).toBe(1);
  });

  it("a group with members on every node and at the edge: once each, one envelope per node", async () => {
    const members = await Promise.all(["g-a", "g-b", "g-c", "g-edge", "g-a2"].map((p) => registerUser(p)));
    const [onA, onB, onC, atEdge, alsoOnA] = members as [typeof members[0], typeof members[0], typeof members[0], typeof members[0], typeof members[0]];
    const group = await createGroup(atEdge, [onA, onB, onC, alsoOnA]);
    const inboxes = [
      await core(a, onA.token),
      await core(b, onB.token),
      await core(c, onC.token),
      await core(a, alsoOnA.token), // two members on node a: still one envelope for a
      await edge(atEdge.token),
    ];
    await settle(300); // let set-up pushes (group.joined...) pass before counting
    const before = await linkStats();
    const consumedBefore = [a, b, c].map((n) => n.stats.consumed);

    const message = await sendText(atEdge, { groupId: group.id }, "hello everyone"); // over HTTP, from the edge user
    for (const inbox of inboxes.slice(0, 4)) await inbox.waitForMessage(message.id);
    await settle();

    for (const inbox of inboxes.slice(0, 4)) expect(inbox.copiesOf(message.id)).toBe(1);
    // The sender has no other device; the Worker pushed to the edge itself and did not route it back.
    expect(inboxes[4]!.copiesOf(message.id)).toBe(0);
    const after = await linkStats();
    expect(publishesSince(before, after, [a.nodeId, b.nodeId, c.nodeId, EDGE_NODE_ID])).toEqual({
      [a.nodeId]: 1,
      [b.nodeId]: 1,
      [c.nodeId]: 1,
      [EDGE_NODE_ID]: 0,
    });
    expect([a, b, c].map((n, i) => n.stats.consumed - consumedBefore[i]!)).toEqual([1, 1, 1]);

    // And from a Socket.IO member: the edge member gets it exactly once too.
    const ack = (await inboxes[1]!.sendMessage(textFrame({ groupId: group.id }, "from b"))) as AckFrame;
    await inboxes[4]!.waitForMessage(ack.message.id);
    await settle();
    for (const [i, inbox] of inboxes.entries()) expect(inbox.copiesOf(ack.message.id)).toBe(i === 1 ? 0 : 1);
  });

  it("one user with a device on a node and one at the edge gets both pushes", async () => {
    const [erin, frank] = [await registerUser("erin"), await registerUser("frank")];
    await befriend(erin, frank);
    const erinOnB = await core(b, erin.token);
    const erinAtEdge = await edge(await loginDevice(erin, "d2"));
    await edgeRouted(b, erin.id, "d2");

    const message = await sendText(frank, { userId: erin.id }, "two devices");
    await erinOnB.waitForMessage(message.id);
    await erinAtEdge.waitForMessage(message.id);

    // Multi-device sync: erin's own send from the node reaches her edge device, not the sender.
    const ack = (await erinOnB.sendMessage(textFrame({ userId: frank.id }, "mine"))) as AckFrame;
    await erinAtEdge.waitForMessage(ack.message.id);
    await settle();
    expect([erinOnB.copiesOf(message.id), erinAtEdge.copiesOf(message.id)]).toEqual([1, 1]);
    expect([erinOnB.copiesOf(ack.message.id), erinAtEdge.copiesOf(ack.message.id)]).toEqual([0, 1]);
  });

  it("typing and read from a Socket.IO client reach the peer at the edge", async () => {
    const [kim, lee] = [await registerUser("kim"), await registerUser("lee")];
    await befriend(kim, lee);
    const kimOnA = await core(a, kim.token);
    const leeAtEdge = await edge(lee.token);
    const message = await sendText(lee, { userId: kim.id }, "read me");
    await kimOnA.waitForMessage(message.id);

    kimOnA.send({ type: "typing", conversationId: message.conversationId });
    await leeAtEdge.waitFor((e) => e.type === "typing" && e.userId === kim.id, "typing");

    kimOnA.send({ type: "read", conversationId: message.conversationId, seq: message.seq });
    await leeAtEdge.waitFor((e) => e.type === "read" && e.userId === kim.id && e.seq === message.seq, "read receipt");
  });

  it("a send the Worker refuses comes back as an error frame through the ack", async () => {
    const [gil, stranger] = [await registerUser("gil"), await registerUser("stranger")];
    // The ack callback is the subject here (clients other than the SDK use it): a bare socket.
    const gilOnC = await ackingSocket(c.socketUrl, gil.token);
    try {
      const frame = textFrame({ userId: stranger.id }, "not friends");
      const answer = (await gilOnC.emitWithAck("message.send", frame)) as ErrorFrame;
      expect(answer).toMatchObject({ type: "error", code: "forbidden", clientMsgId: frame.clientMsgId });
      const invalid = (await gilOnC.emitWithAck("message.send", { to: { userId: stranger.id } })) as ErrorFrame;
      expect(invalid).toMatchObject({ type: "error", code: "invalid_frame" });
    } finally {
      gilOnC.disconnect();
    }
  });
});
