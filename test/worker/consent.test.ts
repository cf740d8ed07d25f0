import { afterEach, describe, expect, it } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { befriend, createGroup, registerUser, send, textTo, type TestUser } from "./messaging-fixtures.js";
import { connect, type TestSocket } from "./ws-client.js";

// Consent: who may reach me. Blocks, who may add me to a group (groupAddPolicy and group
// invitations), what an ended friendship ends, and what a stranger learns of a 1:1
// conversation that is not theirs (nothing).

const sockets: TestSocket[] = [];
async function open(user: TestUser): Promise<TestSocket> {
  const socket = await connect(user.token);
  sockets.push(socket);
  return socket;
}
afterEach(() => sockets.splice(0).forEach((s) => s.close()));

const block = (by: TestUser, who: TestUser) => call("PUT", `/api/blocks/${who.user.id}`, { token: by.token });
const requestFriend = (from: TestUser, to: TestUser) =>
  call("POST", "/api/friends/requests", { token: from.token, body: { userId: to.user.id } });
const incoming = async (user: TestUser) =>
  (await call("GET", "/api/friends/requests", { token: user.token })).body.requests.map((r: { from: { id: string } }) => r.from.id);
const typing = (user: TestUser, conversationId: string) =>
  call("POST", `/api/conversations/${conversationId}/typing`, { token: user.token });
const summaryOf = async (user: TestUser, conversationId: string) =>
  (await call("GET", `/api/conversations/${conversationId}`, { token: user.token })).body.conversation;
const invitationsOf = async (user: TestUser) => (await call("GET", "/api/groups/invitations", { token: user.token })).body.invitations;
const memberIds = async (viewer: TestUser, groupId: string) =>
  (await call("GET", `/api/groups/${groupId}/members`, { token: viewer.token })).body.members.map((m: { user: { id: string } }) => m.user.id);

describe("blocks", () => {
  it("ends the friendship: no 1:1 messages either way; GET /api/blocks lists it; unblocking does not restore it", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    await befriend(ann, ben);
    const benWs = await open(ben);

    const blocked = await block(ann, ben);
    expect(blocked.status).toBe(200);
    expect(blocked.body.blocked).toMatchObject({ user: { id: ben.user.id } });
    expect((await block(ann, ben)).status).toBe(200); // again: a no-op
    // To Ben this is an ordinary unfriending.
    expect(await benWs.next("friend.removed")).toMatchObject({ userId: ann.user.id });

    for (const [from, to] of [[ann, ben], [ben, ann]] as const) {
      const refused = await send(from, textTo({ userId: to.user.id }, "hi"));
      expect(refused.status).toBe(403);
      expect(errorCode(refused)).toBe("forbidden");
    }
    const list = await call("GET", "/api/blocks", { token: ann.token });
    expect(list.body.blocked.map((b: { user: { id: string } }) => b.user.id)).toEqual([ben.user.id]);
    expect((await call("GET", "/api/blocks", { token: ben.token })).body.blocked).toEqual([]);

    expect((await call("DELETE", `/api/blocks/${ben.user.id}`, { token: ann.token })).status).toBe(200);
    expect((await call("DELETE", `/api/blocks/${ben.user.id}`, { token: ann.token })).status).toBe(404);
    expect((await call("GET", "/api/friends", { token: ann.token })).body.friends).toEqual([]);
    expect((await block(ann, ann)).status).toBe(403);
  });

  it("a friend request from a blocked user looks sent to them and never reaches the blocker", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    expect((await block(ann, ben)).status).toBe(200);
    const annWs = await open(ann);

    const sent = await requestFriend(ben, ann);
    expect(sent.status).toBe(201);
    expect(sent.body.request).toMatchObject({ status: "pending", to: { id: ann.user.id } });
    const outgoing = await call("GET", "/api/friends/requests?direction=outgoing", { token: ben.token });
    expect(outgoing.body.requests.map((r: { id: string }) => r.id)).toEqual([sent.body.request.id]);
    expect(errorCode(await requestFriend(ben, ann))).toBe("request_exists"); // as for any pending request

    expect(await incoming(ann)).toEqual([]);
    expect((await annWs.leftover()).filter((f) => f.type === "friend.request")).toEqual([]);
    const accept = await call("POST", `/api/friends/requests/${sent.body.request.id}/accept`, { token: ann.token });
    expect(accept.status).toBe(404);

    // The blocker is told plainly why they cannot ask.
    const mine = await requestFriend(ann, ben);
    expect(mine.status).toBe(403);
    expect(mine.body.error.message).toContain("unblock");

    // Unblocked, the request is there to answer.
    await call("DELETE", `/api/blocks/${ben.user.id}`, { token: ann.token });
    expect(await incoming(ann)).toEqual([ben.user.id]);
  });

  it("withdraws the blocker's pending friend request, and group invitations either way", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    const request = (await requestFriend(ann, ben)).body.request;
    await call("POST", "/api/groups", { token: ann.token, body: { name: "ann's", memberIds: [ben.user.id] } });
    await call("POST", "/api/groups", { token: ben.token, body: { name: "ben's", memberIds: [ann.user.id] } });
    expect(await invitationsOf(ben)).toHaveLength(1);
    expect(await invitationsOf(ann)).toHaveLength(1);

    await block(ann, ben);
    expect(await incoming(ben)).toEqual([]);
    expect((await call("POST", `/api/friends/requests/${request.id}/accept`, { token: ben.token })).status).toBe(404);
    expect(await invitationsOf(ben)).toEqual([]);
    expect(await invitationsOf(ann)).toEqual([]);
  });

  it("the blocked user cannot add the blocker to a group: they see them invited, the blocker gets nothing", async () => {
    const [ann, ben, cat] = [await registerUser("ann"), await registerUser("ben"), await registerUser("cat")];
    await call("PATCH", "/api/me", { token: ann.token, body: { groupAddPolicy: "anyone" } });
    await block(ann, ben);
    const annWs = await open(ann);

    const stranger = await registerUser("str");
    // In the order asked: the answer's order does not tell the blocker apart either.
    for (const memberIds of [[ann.user.id, stranger.user.id], [stranger.user.id, ann.user.id]]) {
      const created = await call("POST", "/api/groups", { token: ben.token, body: { name: "trap", memberIds } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ added: [], invited: memberIds, group: { memberCount: 1 } });
    }
    expect(await invitationsOf(ann)).toEqual([]);

    const { groupId } = await createGroup(cat, [ben]);
    const invited = await call("POST", `/api/groups/${groupId}/members`, { token: ben.token, body: { userIds: [ann.user.id] } });
    expect(invited.body).toMatchObject({ added: [], invited: [ann.user.id] });
    expect(await memberIds(cat, groupId)).not.toContain(ann.user.id);
    const leftover = await annWs.leftover();
    expect(leftover.filter((f) => f.type === "group.joined" || f.type === "group.invited")).toEqual([]);
  });

  it("in a shared group, messages still flow but typing does not cross the block", async () => {
    const [owner, ann, ben] = [await registerUser("own"), await registerUser("ann"), await registerUser("ben")];
    const { groupId, conversationId } = await createGroup(owner, [ann, ben]);
    await block(ann, ben);
    const [annWs, ownerWs] = [await open(ann), await open(owner)];

    expect((await typing(ben, conversationId)).status).toBe(200);
    expect(await ownerWs.next("typing")).toMatchObject({ conversationId, userId: ben.user.id });
    expect((await typing(ann, conversationId)).status).toBe(200);
    expect(await ownerWs.next("typing")).toMatchObject({ conversationId, userId: ann.user.id });
    expect((await annWs.leftover()).filter((f) => f.type === "typing")).toEqual([]);

    expect((await send(ben, textTo({ groupId }, "still here"))).status).toBe(201);
    expect((await annWs.next("message.new")).message).toMatchObject({ senderId: ben.user.id });
  });

  it("no presence between them: no `presence` push, no `online` in the 1:1 summary", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    await befriend(ann, ben);
    const id = directConversationId(ann.user.id, ben.user.id);
    await block(ben, ann);
    const annWs = await open(ann);
    const benWs = await open(ben);
    expect((await annWs.leftover()).filter((f) => f.type === "presence")).toEqual([]);
    expect((await summaryOf(ann, id)).peer.online).toBeUndefined();
    expect((await summaryOf(ben, id)).peer.online).toBeUndefined();
    benWs.close();
  });
});

describe("who may add me to a group", () => {
  it("defaults to friends; a stranger's add becomes an invitation the invitee accepts", async () => {
    const [owner, friend, stranger] = [await registerUser("own"), await registerUser("fr"), await registerUser("str")];
    expect((await call("GET", "/api/me", { token: stranger.token })).body.user.groupAddPolicy).toBe("friends");
    await befriend(owner, friend);
    const strangerWs = await open(stranger);

    const created = await call("POST", "/api/groups", {
      token: owner.token,
      body: { name: "book club", memberIds: [friend.user.id, stranger.user.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ added: [friend.user.id], invited: [stranger.user.id], group: { memberCount: 2 } });
    const groupId = created.body.group.id;
    expect((await memberIds(owner, groupId)).sort()).toEqual([owner.user.id, friend.user.id].sort());

    const pushed = await strangerWs.next("group.invited");
    expect(pushed.invitation).toMatchObject({ group: { id: groupId, name: "book club" }, inviter: { id: owner.user.id } });
    expect(pushed.invitation.group.me).toBeUndefined();
    // Not a member yet: no messages there.
    expect((await send(stranger, textTo({ groupId }, "hi"))).status).toBe(403);

    const [invitation] = await invitationsOf(stranger);
    expect(invitation).toMatchObject({ id: pushed.invitation.id, group: { id: groupId, memberCount: 2 } });
    expect((await call("POST", `/api/groups/invitations/${invitation.id}/accept`, { token: friend.token })).status).toBe(404);
    const accepted = await call("POST", `/api/groups/invitations/${invitation.id}/accept`, { token: stranger.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.group).toMatchObject({ id: groupId, memberCount: 3, me: { role: "member" } });
    expect(await invitationsOf(stranger)).toEqual([]);
    expect((await send(stranger, textTo({ groupId }, "hi"))).status).toBe(201);
  });

  it("a stranger who left is invited, not re-added; declining deletes the invitation", async () => {
    const [owner, user] = [await registerUser("own"), await registerUser("usr")];
    await call("PATCH", "/api/me", { token: user.token, body: { groupAddPolicy: "anyone" } });
    const { groupId } = await createGroup(owner, [user]);
    await call("POST", `/api/groups/${groupId}/leave`, { token: user.token });
    const me = await call("PATCH", "/api/me", { token: user.token, body: { groupAddPolicy: "friends" } });
    expect(me.body.user.groupAddPolicy).toBe("friends");

    const again = await call("POST", `/api/groups/${groupId}/members`, { token: owner.token, body: { userIds: [user.user.id] } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ added: [], invited: [user.user.id], group: { memberCount: 1 } });
    const [invitation] = await invitationsOf(user);
    expect((await call("POST", `/api/groups/invitations/${invitation.id}/decline`, { token: user.token })).status).toBe(200);
    expect(await invitationsOf(user)).toEqual([]);
    expect(await memberIds(owner, groupId)).toEqual([owner.user.id]);
  });

  it("an invitation goes with its group, and is moot once I join another way", async () => {
    const [owner, user] = [await registerUser("own"), await registerUser("usr")];
    const open = await call("POST", "/api/groups", { token: owner.token, body: { name: "open", memberIds: [user.user.id], joinPolicy: "open" } });
    const doomed = await call("POST", "/api/groups", { token: owner.token, body: { name: "doomed", memberIds: [user.user.id] } });
    expect((await invitationsOf(user)).map((i: { group: { name: string } }) => i.group.name).sort()).toEqual(["doomed", "open"]);
    const doomedInvitation = (await invitationsOf(user)).find((i: { group: { name: string } }) => i.group.name === "doomed");

    expect((await call("POST", `/api/groups/${open.body.group.id}/join`, { token: user.token })).status).toBe(200);
    expect((await call("DELETE", `/api/groups/${doomed.body.group.id}`, { token: owner.token })).status).toBe(200);
    expect(await invitationsOf(user)).toEqual([]);
    expect((await call("POST", `/api/groups/invitations/${doomedInvitation.id}/accept`, { token: user.token })).status).toBe(404);
  });

  it('"anyone" lets a stranger add me directly', async () => {
    const [owner, user] = [await registerUser("own"), await registerUser("usr")];
    await call("PATCH", "/api/me", { token: user.token, body: { groupAddPolicy: "anyone" } });
    const created = await call("POST", "/api/groups", { token: owner.token, body: { name: "g", memberIds: [user.user.id] } });
    expect(created.body).toMatchObject({ added: [user.user.id], invited: [] });
    expect((await call("PATCH", "/api/me", { token: user.token, body: { groupAddPolicy: "strangers" } })).status).toBe(400);
  });
});

describe("an ended friendship", () => {
  it("ends typing and presence in the old 1:1 conversation", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    await befriend(ann, ben);
    const id = directConversationId(ann.user.id, ben.user.id);
    const benWs = await open(ben);
    expect((await summaryOf(ann, id)).peer.online).toBe(true);

    expect((await call("DELETE", `/api/friends/${ben.user.id}`, { token: ann.token })).status).toBe(200);
    await benWs.next("friend.removed");
    const refused = await typing(ann, id);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe("forbidden");
    expect((await benWs.leftover()).filter((f) => f.type === "typing")).toEqual([]);
    expect((await summaryOf(ann, id)).peer.online).toBeUndefined();
  });
});

describe("no existence oracle for conversations", () => {
  it("a 1:1 conversation that is not mine answers as one that does not exist", async () => {
    const [ann, ben, eve, nobody] = [await registerUser("ann"), await registerUser("ben"), await registerUser("eve"), await registerUser("no")];
    await befriend(ann, ben);
    const existing = directConversationId(ann.user.id, ben.user.id);
    const missing = directConversationId(ann.user.id, nobody.user.id);
    const probes = (id: string) => [
      call("GET", `/api/conversations/${id}`, { token: eve.token }),
      call("GET", `/api/conversations/${id}/messages`, { token: eve.token }),
      call("POST", `/api/conversations/${id}/read`, { token: eve.token, body: { seq: 1 } }),
      call("POST", `/api/conversations/${id}/typing`, { token: eve.token }),
    ];
    const [there, notThere] = [await Promise.all(probes(existing)), await Promise.all(probes(missing))];
    for (let i = 0; i < there.length; i++) {
      expect(there[i]!.status).toBe(404);
      expect(there[i]!.body).toEqual(notThere[i]!.body);
    }
    expect(there[0]!.body.error.code).toBe("not_found");
  });
});
