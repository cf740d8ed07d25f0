import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, errorCode } from "./http.js";
import { conversationMembers, createGroup, expectConsecutive, ids, systemEvents, users } from "./groups-fixtures.js";
import { messageDbOf } from "./message-dbs.js";

describe("groups: create, list, view", () => {
  it("creates a group with its owner, de-duplicated members, conversation and system messages", async () => {
    const [owner, bob, cat] = await users(3);
    const res = await call("POST", "/api/groups", {
      token: owner!.token,
      body: {
        name: "  Hikers ",
        memberIds: [bob!.user.id, cat!.user.id, bob!.user.id, owner!.user.id],
        announcement: "Sunday 9am",
        joinPolicy: "open",
      },
    });
    expect(res.status).toBe(201);
    const group = res.body.group;
    expect(group).toMatchObject({
      name: "Hikers",
      announcement: "Sunday 9am",
      joinPolicy: "open",
      avatar: null,
      ownerId: owner!.user.id,
      memberCount: 3,
      conversationId: `g:${group.id}`,
      me: { role: "owner", nickname: "", remark: "" },
    });

    const events = await systemEvents(group.id);
    expect(events).toEqual([
      { seq: 1, event: "group_created", by: owner!.user.id, name: "Hikers" },
      { seq: 2, event: "member_joined", userIds: [bob!.user.id, cat!.user.id], by: owner!.user.id },
    ]);
    expect(await conversationMembers(group.id)).toEqual(ids(owner!, bob!, cat!));
    const conversation = await env.DB.prepare("SELECT kind, group_id FROM conversations WHERE id = ?1").bind(group.conversationId).first();
    expect(conversation).toEqual({ kind: "group", group_id: group.id });
    const state = await (await messageDbOf(group.conversationId))
      .prepare("SELECT last_seq FROM conversation_state WHERE conversation_id = ?1")
      .bind(group.conversationId)
      .first();
    expect(state).toEqual({ last_seq: 2 });

    const asBob = await call("GET", `/api/groups/${group.id}`, { token: bob!.token });
    expect(asBob.status).toBe(200);
    expect(asBob.body.group).toMatchObject({ id: group.id, memberCount: 3, me: { role: "member" } });
  });

  it("creates a group of one: only group_created is posted", async () => {
    const [solo] = await users(1);
    const group = await createGroup(solo!);
    expect(group).toMatchObject({ memberCount: 1, joinPolicy: "invite", announcement: "" });
    expect(await systemEvents(group.id)).toEqual([{ seq: 1, event: "group_created", by: solo!.user.id, name: "Hikers" }]);
  });

  it("refuses unknown members (naming them), invalid bodies and missing tokens", async () => {
    const [owner, bob] = await users(2);
    const ghost = crypto.randomUUID();
    const unknown = await call("POST", "/api/groups", {
      token: owner!.token,
      body: { name: "G", memberIds: [bob!.user.id, ghost] },
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe("not_found");
    expect(unknown.body.error.message).toContain(ghost);
    const { results } = await env.DB.prepare("SELECT id FROM groups WHERE owner_id = ?1").bind(owner!.user.id).all();
    expect(results).toEqual([]);

    for (const body of [
      {},
      { name: "" },
      { name: "x".repeat(65) },
      { name: "G", memberIds: ["not-a-uuid"] },
      { name: "G", joinPolicy: "anyone" },
      { name: "G", avatar: "not a url" },
      { name: "G", surprise: true },
    ]) {
      const bad = await call("POST", "/api/groups", { token: owner!.token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(bad)).toBe("invalid_body");
    }

    const anonymous = await call("POST", "/api/groups", { body: { name: "G" } });
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe("unauthorized");
    expect((await call("GET", "/api/groups")).status).toBe(401);
  });

  it("lists my groups, newest membership first, with my role in each", async () => {
    const [me, other] = await users(2);
    const first = await createGroup(me!, { name: "First" });
    const second = await createGroup(other!, { name: "Second", memberIds: [me!.user.id] });
    await createGroup(other!, { name: "Not mine" });

    const res = await call("GET", "/api/groups", { token: me!.token });
    expect(res.status).toBe(200);
    expect(res.body.groups.map((g: { name: string }) => g.name).sort()).toEqual(["First", "Second"]);
    const byId = Object.fromEntries(res.body.groups.map((g: { id: string }) => [g.id, g]));
    expect(byId[first.id]).toMatchObject({ memberCount: 1, me: { role: "owner" } });
    expect(byId[second.id]).toMatchObject({ memberCount: 2, me: { role: "member" } });
  });

  it("shows an open group to non-members with me = null, and hides an invite-only group (404)", async () => {
    const [owner, stranger] = await users(2);
    const open = await createGroup(owner!, { joinPolicy: "open" });
    const closed = await createGroup(owner!);

    const visit = await call("GET", `/api/groups/${open.id}`, { token: stranger!.token });
    expect(visit.status).toBe(200);
    expect(visit.body.group).toMatchObject({ id: open.id, memberCount: 1, me: null });

    const hidden = await call("GET", `/api/groups/${closed.id}`, { token: stranger!.token });
    expect(hidden.status).toBe(404);
    expect(errorCode(hidden)).toBe("not_found");
    expect((await call("GET", `/api/groups/${crypto.randomUUID()}`, { token: owner!.token })).status).toBe(404);
    expect((await call("GET", "/api/groups/not-a-uuid", { token: owner!.token })).status).toBe(404);
    expect((await call("GET", `/api/groups/${open.id}`)).status).toBe(401);
  });
});

describe("groups: update", () => {
  it("lets the owner and admins update, with one system message per kind of change", async () => {
    const [owner, admin] = await users(2);
    const group = await createGroup(owner!, { memberIds: [admin!.user.id] });
    expect((await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token })).status).toBe(200);

    const renamed = await call("PATCH", `/api/groups/${group.id}`, {
      token: owner!.token,
      body: { name: "Climbers", announcement: "Bring ropes" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.group).toMatchObject({ name: "Climbers", announcement: "Bring ropes", me: { role: "owner" } });

    const byAdmin = await call("PATCH", `/api/groups/${group.id}`, {
      token: admin!.token,
      body: { avatar: "https://example.com/a.png", joinPolicy: "open", name: "Climbers" },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.group).toMatchObject({ avatar: "https://example.com/a.png", joinPolicy: "open", me: { role: "admin" } });
    expect(byAdmin.body.group.updatedAt).toBeGreaterThanOrEqual(group.updatedAt);

    // Setting what is already set changes nothing and posts nothing.
    const same = await call("PATCH", `/api/groups/${group.id}`, { token: admin!.token, body: { joinPolicy: "open" } });
    expect(same.status).toBe(200);

    const events = await systemEvents(group.id);
    expectConsecutive(events);
    expect(events.slice(3)).toEqual([
      { seq: 4, event: "group_renamed", name: "Climbers", by: owner!.user.id },
      { seq: 5, event: "announcement_changed", announcement: "Bring ropes", by: owner!.user.id },
      { seq: 6, event: "group_updated", fields: ["avatar", "joinPolicy"], by: admin!.user.id },
    ]);

    const cleared = await call("PATCH", `/api/groups/${group.id}`, { token: owner!.token, body: { avatar: null } });
    expect(cleared.body.group.avatar).toBeNull();
  });

  it("refuses plain members (403), visitors of an open group (403), strangers (404) and bad bodies (400)", async () => {
    const [owner, member, visitor] = await users(3);
    const open = await createGroup(owner!, { memberIds: [member!.user.id], joinPolicy: "open" });
    const closed = await createGroup(owner!);

    const byMember = await call("PATCH", `/api/groups/${open.id}`, { token: member!.token, body: { name: "Mine" } });
    expect(byMember.status).toBe(403);
    expect(errorCode(byMember)).toBe("forbidden");
    expect(byMember.body.error.message).toMatch(/owner or an admin/);

    const byVisitor = await call("PATCH", `/api/groups/${open.id}`, { token: visitor!.token, body: { name: "Mine" } });
    expect(byVisitor.status).toBe(403);
    expect(byVisitor.body.error.message).toMatch(/only members/);

    const byStranger = await call("PATCH", `/api/groups/${closed.id}`, { token: visitor!.token, body: { name: "Mine" } });
    expect(byStranger.status).toBe(404);

    for (const body of [{}, { name: "" }, { joinPolicy: "closed" }, { ownerId: visitor!.user.id }, { announcement: "x".repeat(2001) }]) {
      const bad = await call("PATCH", `/api/groups/${open.id}`, { token: owner!.token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(bad)).toBe("invalid_body");
    }
    const malformed = await call("PATCH", `/api/groups/${open.id}`, {
      token: owner!.token,
      rawBody: "{ nope",
      headers: { "Content-Type": "application/json" },
    });
    expect(errorCode(malformed)).toBe("invalid_json");
    expect((await call("PATCH", "/api/groups/123", { token: owner!.token, body: { name: "X" } })).status).toBe(404);

    const unchanged = await call("GET", `/api/groups/${open.id}`, { token: member!.token });
    expect(unchanged.body.group.name).toBe("Hikers");
  });
});

describe("groups: dismiss", () => {
  it("lets only the owner dismiss; the group, its conversation and its messages are gone", async () => {
    const [owner, admin, member] = await users(3);
    const group = await createGroup(owner!, { memberIds: [admin!.user.id, member!.user.id] });
    await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token });

    const byAdmin = await call("DELETE", `/api/groups/${group.id}`, { token: admin!.token });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.message).toMatch(/only the owner/);
    const byMember = await call("DELETE", `/api/groups/${group.id}`, { token: member!.token });
    expect(byMember.status).toBe(403);

    const messages = await messageDbOf(group.conversationId);
    const dismissed = await call("DELETE", `/api/groups/${group.id}`, { token: owner!.token });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toEqual({ ok: true });

    expect((await call("GET", `/api/groups/${group.id}`, { token: member!.token })).status).toBe(404);
    expect((await call("GET", "/api/groups", { token: member!.token })).body.groups).toEqual([]);
    const left = await env.DB.batch([
      env.DB.prepare("SELECT count(*) AS n FROM group_members WHERE group_id = ?1").bind(group.id),
      env.DB.prepare("SELECT count(*) AS n FROM conversations WHERE id = ?1").bind(group.conversationId),
      env.DB.prepare("SELECT count(*) AS n FROM conversation_members WHERE conversation_id = ?1").bind(group.conversationId),
    ]);
    expect(left.map((r) => (r.results[0] as { n: number }).n)).toEqual([0, 0, 0]);
    // Its messages, read positions and state went from the message database too.
    const leftMessages = await messages.batch(
      ["messages", "read_positions", "conversation_state"].map((table) =>
        messages.prepare(`SELECT count(*) AS n FROM ${table} WHERE conversation_id = ?1`).bind(group.conversationId),
      ),
    );
    expect(leftMessages.map((r) => (r.results[0] as { n: number }).n)).toEqual([0, 0, 0]);

    expect((await call("DELETE", `/api/groups/${group.id}`, { token: owner!.token })).status).toBe(404);
  });
});

describe("groups: OpenAPI", () => {
  it("describes every group route", async () => {
    const doc = await call("GET", "/api/openapi.json");
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith("/api/groups"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        "POST /api/groups",
        "GET /api/groups",
        "GET /api/groups/{id}",
        "PATCH /api/groups/{id}",
        "DELETE /api/groups/{id}",
        "POST /api/groups/{id}/join",
        "POST /api/groups/{id}/leave",
        "GET /api/groups/{id}/members",
        "POST /api/groups/{id}/members",
        "DELETE /api/groups/{id}/members/{userId}",
        "PATCH /api/groups/{id}/members/me",
        "POST /api/groups/{id}/owner",
        "PUT /api/groups/{id}/admins/{userId}",
        "DELETE /api/groups/{id}/admins/{userId}",
        "GET /api/groups/invitations",
        "POST /api/groups/invitations/{id}/accept",
        "POST /api/groups/invitations/{id}/decline",
      ].sort(),
    );
    expect(doc.body.paths["/api/groups/{id}/members"].post.responses["409"].description).toContain("group_full");
  });
});
