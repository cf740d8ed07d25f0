import { describe, expect, it } from "vitest";
import { call, errorCode } from "./http.js";
import { createGroup, expectConsecutive, roles, systemEvents, users } from "./groups-fixtures.js";

describe("groups: ownership transfer", () => {
  it("the owner hands the group to a member and becomes an admin", async () => {
    const [owner, heir] = await users(2);
    const group = await createGroup(owner!, { memberIds: [heir!.user.id] });
    const res = await call("POST", `/api/groups/${group.id}/owner`, { token: owner!.token, body: { userId: heir!.user.id } });
    expect(res.status).toBe(200);
    expect(res.body.group).toMatchObject({ ownerId: heir!.user.id, me: { role: "admin" } });
    expect(await roles(heir!, group.id)).toEqual({ [heir!.user.id]: "owner", [owner!.user.id]: "admin" });
    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.at(-1)).toMatchObject({ event: "owner_changed", ownerId: heir!.user.id, previousOwnerId: owner!.user.id });

    // The new owner may now dismiss; the old one may not.
    expect((await call("DELETE", `/api/groups/${group.id}`, { token: owner!.token })).status).toBe(403);
  });

  it("refuses non-owners (403), a non-member target (404), oneself (409) and bad bodies (400)", async () => {
    const [owner, admin, member, outsider] = await users(4);
    const group = await createGroup(owner!, { memberIds: [admin!.user.id, member!.user.id] });
    await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token });
    const transfer = (by: { token: string }, body: unknown) => call("POST", `/api/groups/${group.id}/owner`, { token: by.token, body });

    const byAdmin = await transfer(admin!, { userId: admin!.user.id });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.message).toMatch(/only the owner can transfer ownership/);
    expect((await transfer(member!, { userId: member!.user.id })).status).toBe(403);

    const toOutsider = await transfer(owner!, { userId: outsider!.user.id });
    expect(toOutsider.status).toBe(404);
    expect(toOutsider.body.error.message).toContain(outsider!.user.id);
    const toSelf = await transfer(owner!, { userId: owner!.user.id });
    expect(toSelf.status).toBe(409);
    expect(errorCode(toSelf)).toBe("conflict");
    for (const body of [{}, { userId: "x" }, { userId: member!.user.id, extra: 1 }]) {
      expect(errorCode(await transfer(owner!, body))).toBe("invalid_body");
    }
    expect((await call("POST", `/api/groups/${group.id}/owner`, { token: outsider!.token, body: { userId: outsider!.user.id } })).status).toBe(404);

    expect((await roles(owner!, group.id))[owner!.user.id]).toBe("owner");
  });
});

describe("groups: admins", () => {
  it("the owner promotes and demotes; repeating either is a no-op", async () => {
    const [owner, bob] = await users(2);
    const group = await createGroup(owner!, { memberIds: [bob!.user.id] });
    const url = `/api/groups/${group.id}/admins/${bob!.user.id}`;

    const promoted = await call("PUT", url, { token: owner!.token });
    expect(promoted.status).toBe(200);
    expect(promoted.body.member).toMatchObject({ role: "admin", user: { id: bob!.user.id } });
    expect((await call("PUT", url, { token: owner!.token })).body.member.role).toBe("admin");
    expect((await call("GET", `/api/groups/${group.id}`, { token: bob!.token })).body.group.me.role).toBe("admin");

    const demoted = await call("DELETE", url, { token: owner!.token });
    expect(demoted.status).toBe(200);
    expect(demoted.body.member.role).toBe("member");
    expect((await call("DELETE", url, { token: owner!.token })).status).toBe(200);

    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.slice(2)).toEqual([
      { seq: 3, event: "admin_changed", userId: bob!.user.id, admin: true, by: owner!.user.id },
      { seq: 4, event: "admin_changed", userId: bob!.user.id, admin: false, by: owner!.user.id },
    ]);
  });

  it("refuses admins and members (403), the owner as target (409), non-members (404)", async () => {
    const [owner, admin, member, outsider] = await users(4);
    const group = await createGroup(owner!, { memberIds: [admin!.user.id, member!.user.id] });
    await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token });

    const byAdmin = await call("PUT", `/api/groups/${group.id}/admins/${member!.user.id}`, { token: admin!.token });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.message).toMatch(/only the owner/);
    expect((await call("DELETE", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: member!.token })).status).toBe(403);

    const demoteOwner = await call("DELETE", `/api/groups/${group.id}/admins/${owner!.user.id}`, { token: owner!.token });
    expect(demoteOwner.status).toBe(409);
    expect(demoteOwner.body.error.message).toMatch(/transfer ownership/);
    expect((await call("PUT", `/api/groups/${group.id}/admins/${outsider!.user.id}`, { token: owner!.token })).status).toBe(404);
    expect((await call("PUT", `/api/groups/${group.id}/admins/not-a-uuid`, { token: owner!.token })).status).toBe(404);
    expect((await call("PUT", `/api/groups/${group.id}/admins/${member!.user.id}`, { token: outsider!.token })).status).toBe(404);
    expect((await call("PUT", `/api/groups/${group.id}/admins/${member!.user.id}`)).status).toBe(401);

    expect(await roles(owner!, group.id)).toEqual({
      [owner!.user.id]: "owner",
      [admin!.user.id]: "admin",
      [member!.user.id]: "member",
    });
  });
});
