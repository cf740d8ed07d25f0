// Consent across gateways: a group invitation reaches a Socket.IO user on a bridge node;
// an ex-friend's typing from Socket.IO is refused and reaches nobody; a block keeps typing
// from crossing in a shared group, whichever gateway each side is on.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ErrorFrame, ServerEvent } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, createGroup, registerUser } from "./support/api.js";
import { ackingSocket, type DeviceClient, Devices, settle } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";

describe.skipIf(inject("servicesMissing"))("consent across gateways", () => {
  const pool = new NodePool();
  const devices = new Devices();
  let a: BridgeNode, b: BridgeNode;

  const core = (node: BridgeNode, token: string) => devices.core(node, token);
  const edge = (token: string) => devices.edge(token);
  const typingFrom = (device: DeviceClient, userId: string) =>
    device.events.filter((e): e is Extract<ServerEvent, { type: "typing" }> => e.type === "typing" && e.userId === userId);

  beforeAll(async () => {
    [a, b] = await Promise.all([pool.start("consent-a"), pool.start("consent-b")]);
  });
  afterAll(async () => {
    devices.closeAll();
    await pool.stopAll();
  });

  it("a stranger's add reaches a Socket.IO user as group.invited; accepting makes them a member", async () => {
    const [owner, guest] = [await registerUser("owner"), await registerUser("guest")];
    const guestOnA = await core(a, guest.token);

    const created = await owner.api.groups.create({ name: "invite only", memberIds: [guest.id] });
    expect(created).toMatchObject({ added: [], invited: [guest.id] });
    const pushed = await guestOnA.waitFor<Extract<ServerEvent, { type: "group.invited" }>>(
      (e) => e.type === "group.invited",
      "group.invited",
    );
    expect(pushed.invitation).toMatchObject({ group: { id: created.group.id }, inviter: { id: owner.id } });

    const group = await guest.api.groups.acceptInvitation(pushed.invitation.id);
    expect(group).toMatchObject({ id: created.group.id, memberCount: 2, me: { role: "member" } });
    const sent = await owner.api.messages.send({ to: { groupId: group.id }, kind: "text", body: { text: "welcome" } });
    await guestOnA.waitForMessage(sent.id);
  });

  it("an ex-friend's typing from Socket.IO is refused and reaches nobody", async () => {
    const [kim, lee] = [await registerUser("kim"), await registerUser("lee")];
    const conversationId = await befriend(kim, lee);
    const leeAtEdge = await edge(lee.token);
    await kim.api.friends.remove(lee.id);
    await leeAtEdge.waitFor((e) => e.type === "friend.removed", "friend.removed");

    const kimOnB = await ackingSocket(b.socketUrl, kim.token);
    devices.track(kimOnB);
    const answer = (await kimOnB.emitWithAck("typing", { conversationId })) as ErrorFrame;
    expect(answer).toMatchObject({ type: "error", code: "forbidden" });
    await settle(500); // no typing reached Lee within 500 ms
    expect(typingFrom(leeAtEdge, kim.id)).toEqual([]);
  });

  it("in a shared group, typing does not cross a block (Socket.IO and edge)", async () => {
    const [owner, ann, ben] = [await registerUser("own"), await registerUser("ann"), await registerUser("ben")];
    const group = await createGroup(owner, [ann, ben]);
    await ann.api.blocks.block(ben.id);
    const [annOnA, benOnB, ownerAtEdge] = [await core(a, ann.token), await core(b, ben.token), await edge(owner.token)];

    benOnB.send({ type: "typing", conversationId: group.conversationId });
    await ownerAtEdge.waitFor((e) => e.type === "typing" && e.userId === ben.id, "ben's typing at the owner");
    annOnA.send({ type: "typing", conversationId: group.conversationId });
    await ownerAtEdge.waitFor((e) => e.type === "typing" && e.userId === ann.id, "ann's typing at the owner");
    await settle(500); // the owner got both: neither reached the other within a further 500 ms
    expect(typingFrom(annOnA, ben.id)).toEqual([]);
    expect(typingFrom(benOnB, ann.id)).toEqual([]);
  });
});
