import { describe, expect, it } from "vitest";
import { call, errorCode } from "./http.js";
import {
  conversationMembers,
  createGroup,
  expectConsecutive,
  ids,
  invite,
  roles,
  systemEvents,
  tick,
  users,
} from "./groups-fixtures.js";

describe("groups: join", () => {
  it("joins an open group: membership, conversation and a member_joined message", async () => {
    const [owner, joiner] = await users(2);
    const group = await createGroup(owner!, { joinPolicy: "open" });

    const joined = await call("POST", `/api/groups/${group.id}/join`, { token: joiner!.token });
    expect(joined.status).toBe(200);
    expect(joined.body.group).toMatchObject({ id: group.id, memberCount: 2, me: { role: "member", nickname: "" } });
    expect(await conversationMembers(group.id)).toEqual(ids(owner!, joiner!));
    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.at(-1)).toEqual({ seq: 2, event: "member_joined", userIds: [joiner!.user.id], by: null });

    const again = await call("POST", `/api/groups/${group.id}/join`, { token: joiner!.token });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe("conflict");
    const byOwner = await call("POST", `/api/groups/${group.id}/join`, { token: owner!.token });
    expect(byOwner.status).toBe(409);
  });

  it("refuses an invite-only group (403), an unknown or malformed id (404) and no token (401)", async () => {
    const [owner, outsider] = await users(2);
    const group = await createGroup(owner!);
    const refused = await call("POST", `/api/groups/${group.id}/join`, { token: outsider!.token });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe("forbidden");
    expect(refused.body.error.message).toMatch(/invite-only/);
    expect(await conversationMembers(group.id)).toEqual(ids(owner!));

    expect((await call("POST", `/api/groups/${crypto.randomUUID()}/join`, { token: outsider!.token })).status).toBe(404);
    expect((await call("POST", "/api/groups/nope/join", { token: outsider!.token })).status).toBe(404);
    expect((await call("POST", `/api/groups/${group.id}/join`)).status).toBe(401);
  });
});

describe("groups: leave", () => {
  it("a member leaves: loses the group and its conversation; member_left is posted", async () => {
    const [owner, bob] = await users(2);
    const group = await createGroup(owner!, { memberIds: [bob!.user.id] });

    const left = await call("POST", `/api/groups/${group.id}/leave`, { token: bob!.token });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ ok: true });
    expect(await conversationMembers(group.id)).toEqual(ids(owner!));
    expect((await call("GET", "/api/groups", { token: bob!.token })).body.groups).toEqual([]);
    expect((await call("GET", `/api/groups/${group.id}`, { token: bob!.token })).status).toBe(404);
    expect((await call("GET", `/api/groups/${group.id}`, { token: owner!.token })).body.group.memberCount).toBe(1);

    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.at(-1)).toEqual({ seq: 3, event: "member_left", userId: bob!.user.id });

    // No longer a member: the invite-only group is invisible again.
    expect((await call("POST", `/api/groups/${group.id}/leave`, { token: bob!.token })).status).toBe(404);
  });

  it("an owner who leaves hands the group to the oldest admin", async () => {
    const [owner, early, admin1, admin2] = await users(4);
    const group = await createGroup(owner!, { memberIds: [early!.user.id] });
    await tick();
    await invite(owner!, group.id, [admin2!]);
    await tick();
    await invite(owner!, group.id, [admin1!]);
    // admin2 joined before admin1, though promoted after; the plain member `early` is older than both.
    await call("PUT", `/api/groups/${group.id}/admins/${admin1!.user.id}`, { token: owner!.token });
    await call("PUT", `/api/groups/${group.id}/admins/${admin2!.user.id}`, { token: owner!.token });

    const left = await call("POST", `/api/groups/${group.id}/leave`, { token: owner!.token });
    expect(left.status).toBe(200);

    const view = await call("GET", `/api/groups/${group.id}`, { token: admin2!.token });
    expect(view.body.group).toMatchObject({ ownerId: admin2!.user.id, memberCount: 3, me: { role: "owner" } });
    expect(await roles(admin2!, group.id)).toEqual({
      [admin2!.user.id]: "owner",
      [admin1!.user.id]: "admin",
      [early!.user.id]: "member",
    });
    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.slice(-2)).toEqual([
      { seq: events.length - 1, event: "member_left", userId: owner!.user.id },
      { seq: events.length, event: "owner_changed", ownerId: admin2!.user.id, previousOwnerId: owner!.user.id },
    ]);
    expect(await conversationMembers(group.id)).toEqual(ids(early!, admin1!, admin2!));
  });

  it("without admins, the oldest member inherits", async () => {
    const [owner, older, younger] = await users(3);
    const group = await createGroup(owner!);
    await invite(owner!, group.id, [older!]);
    await tick();
    await invite(owner!, group.id, [younger!]);

    expect((await call("POST", `/api/groups/${group.id}/leave`, { token: owner!.token })).status).toBe(200);
    expect(await roles(older!, group.id)).toEqual({ [older!.user.id]: "owner", [younger!.user.id]: "member" });
    const view = await call("GET", `/api/groups/${group.id}`, { token: younger!.token });
    expect(view.body.group.ownerId).toBe(older!.user.id);
  });

  it("the sole member cannot leave (409: dismiss instead); a visitor of an open group gets 403", async () => {
    const [owner, visitor] = await users(2);
    const group = await createGroup(owner!, { joinPolicy: "open" });
    const refused = await call("POST", `/api/groups/${group.id}/leave`, { token: owner!.token });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe("conflict");
    expect(refused.body.error.message).toMatch(/dismiss/);
    expect((await call("GET", `/api/groups/${group.id}`, { token: owner!.token })).body.group.me.role).toBe("owner");

    const byVisitor = await call("POST", `/api/groups/${group.id}/leave`, { token: visitor!.token });
    expect(byVisitor.status).toBe(403);
    expect(byVisitor.body.error.message).toMatch(/only members/);
    expect((await call("POST", "/api/groups/xyz/leave", { token: owner!.token })).status).toBe(404);
    expect((await call("POST", `/api/groups/${group.id}/leave`)).status).toBe(401);
  });
});
