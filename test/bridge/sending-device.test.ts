// The sending device is left out before routing, on real nodes (Worker, link node, two
// core nodes, RabbitMQ, Redis, Socket.IO clients): a node gets an envelope only if it
// holds a device that should receive it, and pushes to those devices only.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AckFrame } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, loginDevice, registerUser } from "../e2e/support/api.js";
import { type DeviceClient, Devices, settle } from "../e2e/support/clients.js";
import { NodePool } from "../e2e/support/nodes.js";
import { linkStats, publishesSince } from "../e2e/support/stats.js";

const textFrame = (userId: string, text: string) => ({ to: { userId }, clientMsgId: randomUUID(), kind: "text" as const, body: { text } });

describe.skipIf(inject("servicesMissing"))("the sending device gets no envelope of its own message", () => {
  const pool = new NodePool();
  const devices = new Devices();
  let a: BridgeNode, b: BridgeNode;

  const core = (node: BridgeNode, token: string) => devices.core(node, token);
  /** Sends a 1:1 text from a device; counts the envelopes the link node published and each node consumed. */
  async function send(from: DeviceClient, to: string, receivers: DeviceClient[]) {
    const [before, consumedBefore] = [await linkStats(), [a, b].map((n) => n.stats.consumed)];
    const ack = (await from.sendMessage(textFrame(to, "hi"))) as AckFrame;
    for (const receiver of receivers) await receiver.waitForMessage(ack.message.id);
    await settle();
    return {
      id: ack.message.id,
      published: publishesSince(before, await linkStats(), [a.nodeId, b.nodeId]),
      consumed: [a, b].map((n, i) => n.stats.consumed - consumedBefore[i]!),
    };
  }

  beforeAll(async () => {
    a = await pool.start("a");
    b = await pool.start("b");
  });
  afterAll(async () => {
    devices.closeAll();
    await pool.stopAll();
  });

  it("1:1 from the sender's only device on A to a peer on B: one envelope, to B", async () => {
    const [alice, bob] = [await registerUser("alice"), await registerUser("bob")];
    await befriend(alice, bob);
    const aliceOnA = await core(a, alice.token);
    const bobOnB = await core(b, bob.token);
    await settle(300); // presence pushes of the connects pass before counting

    const sent = await send(aliceOnA, bob.id, [bobOnB]);
    expect(sent.published).toEqual({ [a.nodeId]: 0, [b.nodeId]: 1 });
    expect(sent.consumed).toEqual([0, 1]);
    expect([aliceOnA.copiesOf(sent.id), bobOnB.copiesOf(sent.id)]).toEqual([0, 1]);
  });

  it("the sender's other device on the same node: one envelope there, pushed to that device only", async () => {
    const [carol, dave] = [await registerUser("carol"), await registerUser("dave")];
    await befriend(carol, dave);
    const carolPhone = await core(a, carol.token);
    const carolLaptop = await core(a, await loginDevice(carol, "laptop"));
    const daveOnB = await core(b, dave.token);
    await settle(300);

    const sent = await send(carolPhone, dave.id, [carolLaptop, daveOnB]);
    expect(sent.published).toEqual({ [a.nodeId]: 1, [b.nodeId]: 1 });
    expect(sent.consumed).toEqual([1, 1]);
    expect([carolPhone, carolLaptop, daveOnB].map((c) => c.copiesOf(sent.id))).toEqual([0, 1, 1]);
  });
});
