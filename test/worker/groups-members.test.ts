import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_GROUP_MEMBERS } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { conversationMembers, createGroup, expectConsecutive, ids, invite, systemEvents, users } from "./groups-fixtures.js";
import { messageDbOf } from "./message-dbs.js";

describe("groups: member list", () => {
  it("lists members to members only: owner, admins, members; nicknames but never remarks", async () => {
    const [owner, admin, member, visitor] = await users(4);
    const group = await createGroup(owner!, { memberIds: [member!.user.id, admin!.user.id], joinPolicy: "open" });
    await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token });
    await call("PATCH", `/api/groups/${group.id}/members/me`, {
      token: member!.token,
      body: { nickname: "Trail Boss", remark: "the noisy one" },
    });

    const list = await call("GET", `/api/groups/${group.id}/members`, { token: member!.token });
    expect(list.status).toBe(200);
    expect(list.body.members.map((m: { role: string }) => m.role)).toEqual(["owner", "admin", "member"]);
    const me = list.body.members.find((m: { user: { id: string } }) => m.user.id === member!.user.id);
    expect(me).toMatchObject({ nickname: "Trail Boss", user: { username: member!.user.username } });
    expect(JSON.stringify(list.body)).not.toContain("noisy");
    expect(JSON.stringify(list.body)).not.toContain("passwordHash");

    const byVisitor = await call("GET", `/api/groups/${group.id}/members`, { token: visitor!.token });
    expect(byVisitor.status).toBe(403);
    expect(errorCode(byVisitor)).toBe("forbidden");
    const closed = await createGroup(owner!);
    expect((await call("GET", `/api/groups/${closed.id}/members`, { token: visitor!.token })).status).toBe(404);
    expect((await call("GET", `/api/groups/${group.id}/members`)).status).toBe(401);
  });
});

describe("groups: my nickname and remark", () => {
  it("sets my nickname (seen by members) and my private remark (seen by me)", async () => {
    const [owner, bob] = await users(2);
    const group = await createGroup(owner!, { memberIds: [bob!.user.id] });
    const set = await call("PATCH", `/api/groups/${group.id}/members/me`, {
      token: bob!.token,
      body: { nickname: " Bobby ", remark: "weekend hikes" },
    });
    expect(set.status).toBe(200);
    expect(set.body.group.me).toMatchObject({ role: "member", nickname: "Bobby", remark: "weekend hikes" });
    const onlyNickname = await call("PATCH", `/api/groups/${group.id}/members/me`, { token: bob!.token, body: { nickname: "" } });
    expect(onlyNickname.body.group.me).toMatchObject({ nickname: "", remark: "weekend hikes" });

    // The owner's own view carries the owner's remark, not Bob's.
    expect((await call("GET", `/api/groups/${group.id}`, { token: owner!.token })).body.group.me.remark).toBe("");
    // Settings are not events: nothing is posted in the conversation.
    expect((await systemEvents(group.id)).length).toBe(2);

    for (const body of [{}, { nickname: "x".repeat(65) }, { nickname: "a\u0007b" }, { role: "owner" }]) {
      const bad = await call("PATCH", `/api/groups/${group.id}/members/me`, { token: bob!.token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(bad)).toBe("invalid_body");
    }
    const [stranger] = await users(1);
    const byStranger = await call("PATCH", `/api/groups/${group.id}/members/me`, { token: stranger!.token, body: { nickname: "x" } });
    expect(byStranger.status).toBe(404);
  });
});

describe("groups: invite", () => {
  it("any member invites; already-members are skipped; invitees get the conversation", async () => {
    const [owner, member, newcomer, another] = await users(4);
    const group = await createGroup(owner!, { memberIds: [member!.user.id] });

    const res = await call("POST", `/api/groups/${group.id}/members`, {
      token: member!.token,
      body: { userIds: [newcomer!.user.id, owner!.user.id, newcomer!.user.id, another!.user.id] },
    });
    expect(res.status).toBe(200);
    expect([...res.body.added].sort()).toEqual(ids(newcomer!, another!));
    expect(res.body.group).toMatchObject({ memberCount: 4, me: { role: "member" } });
    expect(await conversationMembers(group.id)).toEqual(ids(owner!, member!, newcomer!, another!));

    const repeat = await invite(owner!, group.id, [newcomer!, member!]);
    expect(repeat.added).toEqual([]);

    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ event: "member_joined", by: member!.user.id });
    expect((events[2]!.userIds as string[]).sort()).toEqual(ids(newcomer!, another!));

    const asNewcomer = await call("GET", `/api/groups/${group.id}`, { token: newcomer!.token });
    expect(asNewcomer.body.group.me.role).toBe("member");
    // A newcomer starts with the history before joining marked read.
    const read = await (await messageDbOf(group.conversationId))
      .prepare("SELECT read_seq FROM read_positions WHERE conversation_id = ?1 AND user_id = ?2")
      .bind(group.conversationId, newcomer!.user.id)
      .first<{ read_seq: number }>();
    expect(read?.read_seq).toBe(2);
  });

  it("refuses unknown users (404 naming them), non-members, and bad bodies", async () => {
    const [owner, visitor, friend] = await users(3);
    const group = await createGroup(owner!, { joinPolicy: "open" });
    const ghost = crypto.randomUUID();
    const unknown = await call("POST", `/api/groups/${group.id}/members`, {
      token: owner!.token,
      body: { userIds: [friend!.user.id, ghost] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain(ghost);
    expect(await conversationMembers(group.id)).toEqual(ids(owner!));

    const byVisitor = await call("POST", `/api/groups/${group.id}/members`, {
      token: visitor!.token,
      body: { userIds: [friend!.user.id] },
    });
    expect(byVisitor.status).toBe(403);

    for (const body of [{}, { userIds: [] }, { userIds: ["nope"] }, { userIds: Array(101).fill(friend!.user.id) }]) {
      const bad = await call("POST", `/api/groups/${group.id}/members`, { token: owner!.token, body });
      expect(bad.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(errorCode(bad)).toBe("invalid_body");
    }
  });

  it(`refuses to grow a group past ${MAX_GROUP_MEMBERS} members with 409 group_full`, async () => {
    const [owner, late, later] = await users(3);
    // Seed the other members straight into D1: registering 498 accounts through PBKDF2 would take minutes.
    const seeded = Array.from({ length: MAX_GROUP_MEMBERS - 2 }, () => crypto.randomUUID());
    const insert = env.DB.prepare(
      "INSERT INTO users (id, username, password_hash, display_name, group_add_policy, created_at, updated_at) VALUES (?1, ?2, 'x', ?2, 'anyone', 0, 0)",
    );
    await env.DB.batch(seeded.map((id) => insert.bind(id, `seed-${id}`)));

    const group = await createGroup(owner!, { memberIds: seeded });
    expect(group.memberCount).toBe(MAX_GROUP_MEMBERS - 1);

    const tooMany = await call("POST", `/api/groups/${group.id}/members`, {
      token: owner!.token,
      body: { userIds: [late!.user.id, later!.user.id] },
    });
    expect(tooMany.status).toBe(409);
    expect(errorCode(tooMany)).toBe("group_full");
    expect(tooMany.body.error.message).toContain(String(MAX_GROUP_MEMBERS));

    expect((await invite(owner!, group.id, [late!])).added).toEqual([late!.user.id]);
    const full = await call("POST", `/api/groups/${group.id}/members`, { token: owner!.token, body: { userIds: [later!.user.id] } });
    expect(errorCode(full)).toBe("group_full");
    expect((await conversationMembers(group.id)).length).toBe(MAX_GROUP_MEMBERS);

    await call("PATCH", `/api/groups/${group.id}`, { token: owner!.token, body: { joinPolicy: "open" } });
    const join = await call("POST", `/api/groups/${group.id}/join`, { token: later!.token });
    expect(join.status).toBe(409);
    expect(errorCode(join)).toBe("group_full");
  }, 30_000); // a 499-member group's creation, pushes and system messages take seconds on a busy machine
});

describe("groups: kick", () => {
  async function fixture() {
    const [owner, admin, admin2, member, member2] = await users(5);
    const group = await createGroup(owner!, {
      memberIds: [admin!.user.id, admin2!.user.id, member!.user.id, member2!.user.id],
      joinPolicy: "open",
    });
    for (const a of [admin!, admin2!]) {
      await call("PUT", `/api/groups/${group.id}/admins/${a.user.id}`, { token: owner!.token });
    }
    return { owner: owner!, admin: admin!, admin2: admin2!, member: member!, member2: member2!, group };
  }
  const kick = (by: { token: string }, groupId: string, userId: string) =>
    call("DELETE", `/api/groups/${groupId}/members/${userId}`, { token: by.token });

  it("an admin kicks a plain member: they lose the group and its conversation; member_kicked is posted", async () => {
    const { owner, admin, admin2, member, member2, group } = await fixture();
    const res = await kick(admin, group.id, member.user.id);
    expect(res.status).toBe(200);
    expect(res.body.group).toMatchObject({ memberCount: 4, me: { role: "admin" } });
    expect(await conversationMembers(group.id)).toEqual(ids(owner, admin, admin2, member2));
    expect((await call("GET", "/api/groups", { token: member.token })).body.groups).toEqual([]);
    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.at(-1)).toMatchObject({ event: "member_kicked", userId: member.user.id, by: admin.user.id });
  });

  it("the owner kicks an admin", async () => {
    const { owner, admin, group } = await fixture();
    expect((await kick(owner, group.id, admin.user.id)).status).toBe(200);
    expect(await conversationMembers(group.id)).not.toContain(admin.user.id);
  });

  it("refuses: admin kicking admin, anyone kicking the owner, members kicking, self-kicks, non-members", async () => {
    const { owner, admin, admin2, member, member2, group } = await fixture();
    const cases: Array<[string, { token: string }, string, number, RegExp]> = [
      ["admin kicks admin", admin, admin2.user.id, 403, /only the owner can kick an admin/],
      ["admin kicks owner", admin, owner.user.id, 403, /owner cannot be kicked/],
      ["member kicks member", member, member2.user.id, 403, /owner or an admin/],
      ["owner kicks self", owner, owner.user.id, 403, /leave the group instead/],
      ["admin kicks self", admin, admin.user.id, 403, /leave the group instead/],
      ["kick a non-member", owner, crypto.randomUUID(), 404, /member not found/],
      ["kick a malformed id", owner, "nobody", 404, /not found/],
    ];
    for (const [what, by, target, status, message] of cases) {
      const res = await kick(by, group.id, target);
      expect(res.status, what).toBe(status);
      expect(res.body.error.message, what).toMatch(message);
    }
    const [visitor] = await users(1);
    expect((await kick(visitor!, group.id, member.user.id)).status).toBe(403);
    expect((await call("DELETE", `/api/groups/${group.id}/members/${member.user.id}`)).status).toBe(401);
    expect(await conversationMembers(group.id)).toEqual(ids(owner, admin, admin2, member, member2));
  });
});
