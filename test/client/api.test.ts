// The HTTP half of the SDK against the real local Worker: every route of the OpenAPI
// document has a typed method, every method is called here at least once, and what a
// user sees (the answers, the errors) is asserted.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import * as sdk from "../../client/index.js";
import { ApiError, EdgeImAdmin, EdgeImApi } from "../../client/index.js";
import { deadPort } from "../e2e/support/ports.js";
import { befriend, recordingFetch, registerUser, type TestUser } from "../e2e/support/api.js";

/**
 * Every route of the API and the SDK method that calls it. A new route without an entry
 * fails the first test below; an entry whose method is gone fails it too.
 */
const SDK_METHOD_OF_ROUTE: Record<string, string> = {
  "POST /api/auth/register": "auth.register",
  "POST /api/auth/login": "auth.login",
  "POST /api/auth/refresh": "auth.refresh",
  "POST /api/auth/logout": "auth.logout",
  "GET /api/me": "me.get",
  "PATCH /api/me": "me.update",
  "GET /api/me/sessions": "me.sessions",
  "DELETE /api/me/sessions/{deviceId}": "me.endSession",
  "GET /api/users": "users.byUsername",
  "GET /api/users/{id}": "users.get",
  "GET /api/blocks": "blocks.list",
  "PUT /api/blocks/{userId}": "blocks.block",
  "DELETE /api/blocks/{userId}": "blocks.unblock",
  "GET /api/groups/invitations": "groups.invitations",
  "POST /api/groups/invitations/{id}/accept": "groups.acceptInvitation",
  "POST /api/groups/invitations/{id}/decline": "groups.declineInvitation",
  "GET /api/friends": "friends.list",
  "GET /api/friends/{userId}": "friends.get",
  "PATCH /api/friends/{userId}": "friends.update",
  "DELETE /api/friends/{userId}": "friends.remove",
  "GET /api/friends/requests": "friends.requests",
  "POST /api/friends/requests": "friends.request",
  "POST /api/friends/requests/{id}/accept": "friends.accept",
  "POST /api/friends/requests/{id}/decline": "friends.decline",
  "POST /api/groups": "groups.create",
  "GET /api/groups": "groups.list",
  "GET /api/groups/{id}": "groups.get",
  "PATCH /api/groups/{id}": "groups.update",
  "DELETE /api/groups/{id}": "groups.dismiss",
  "POST /api/groups/{id}/join": "groups.join",
  "POST /api/groups/{id}/leave": "groups.leave",
  "GET /api/groups/{id}/members": "groups.members",
  "POST /api/groups/{id}/members": "groups.invite",
  "DELETE /api/groups/{id}/members/{userId}": "groups.kick",
  "PATCH /api/groups/{id}/members/me": "groups.updateMe",
  "POST /api/groups/{id}/owner": "groups.transferOwner",
  "PUT /api/groups/{id}/admins/{userId}": "groups.setAdmin",
  "DELETE /api/groups/{id}/admins/{userId}": "groups.setAdmin",
  "POST /api/messages": "messages.send",
  "POST /api/messages/{id}/recall": "messages.recall",
  "GET /api/conversations": "conversations.list",
  "GET /api/conversations/{id}": "conversations.get",
  "GET /api/conversations/{id}/messages": "conversations.history",
  "POST /api/conversations/{id}/read": "conversations.read",
  "POST /api/conversations/{id}/typing": "conversations.typing",
  "POST /api/files": "files.upload",
  "GET /api/files/{id}": "files.download",
  "GET /api/client-config": "clientConfig",
  "GET /api/health": "health",
  "GET /api/notices": "notices.list",
  // The back office: EdgeImAdmin, signed with the ADMIN_SECRET.
  "GET /api/admin/users": "admin:users.find",
  "POST /api/admin/users/{id}/disable": "admin:users.disable",
  "POST /api/admin/users/{id}/enable": "admin:users.enable",
  "DELETE /api/admin/groups/{id}": "admin:groups.dismiss",
  "POST /api/admin/notices": "admin:notice",
  "GET /api/admin/stats": "admin:stats",
  // The edge WebSocket: the ChatClient's edge transport (test/client/chat.test.ts).
  "GET /api/ws": "transport:edgeTransport",
};

async function documentedRoutes(): Promise<string[]> {
  const document = (await (await fetch(`${inject("workerUrl")}/api/openapi.json`)).json()) as { paths: Record<string, object> };
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
}

/** The route a request hit: of the templates it matches, the one with the most literal segments. */
function routeOf(request: string, routes: string[]): string | undefined {
  const literal = (route: string) => route.split("/").filter((s) => s && !s.startsWith("{")).length;
  const matches = routes.filter((route) => new RegExp(`^${route.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(request));
  return matches.sort((a, b) => literal(b) - literal(a))[0];
}

const methodAt = (api: EdgeImApi | EdgeImAdmin, path: string): unknown => path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown>)?.[key], api);

describe("EdgeImApi", () => {
  const requests: string[] = []; // every request of every api below
  const user = (prefix: string, deviceId?: string): Promise<TestUser> => registerUser(prefix, { log: requests, ...(deviceId ? { deviceId } : {}) });

  it("has a method for every route of the OpenAPI document", async () => {
    const routes = await documentedRoutes();
    expect(routes.filter((route) => !(route in SDK_METHOD_OF_ROUTE))).toEqual([]);
    expect(Object.keys(SDK_METHOD_OF_ROUTE).filter((route) => !routes.includes(route))).toEqual([]);
    const api = new EdgeImApi({ baseUrl: inject("workerUrl") });
    const admin = new EdgeImAdmin({ baseUrl: inject("workerUrl"), adminSecret: inject("adminSecret") });
    for (const [route, method] of Object.entries(SDK_METHOD_OF_ROUTE)) {
      const found = method.startsWith("transport:")
        ? sdk[method.slice("transport:".length) as keyof typeof sdk]
        : method.startsWith("admin:")
          ? methodAt(admin, method.slice("admin:".length))
          : methodAt(api, method);
      expect(typeof found, `${route} -> ${method}`).toBe("function");
    }
  });

  it("auth: register and login keep the session; refresh rotates it; logout ends it", async () => {
    const alice = await user("alice", "laptop");
    expect(alice.api.isSignedIn()).toBe(true);
    expect(alice.api.session()).toMatchObject({ userId: alice.user.id, deviceId: "laptop" });
    expect(alice.api.session()!.expiresAt).toBeGreaterThan(Date.now() + 60_000);

    const phone = new EdgeImApi({ baseUrl: inject("workerUrl"), deviceId: "phone", fetch: recordingFetch(requests).fetch });
    const login = await phone.auth.login({ username: alice.user.username, password: alice.password });
    expect(login).toMatchObject({ deviceId: "phone", user: { id: alice.user.id } });

    const changes: Array<string | null> = [];
    alice.api.onSessionChange((s) => changes.push(s && s.deviceId));
    const before = alice.tokens.load()!.refreshToken;
    const refreshed = await alice.api.auth.refresh();
    expect(refreshed).toMatchObject({ userId: alice.user.id, deviceId: "laptop" });
    expect(alice.tokens.load()!.refreshToken).not.toBe(before);
    expect((await alice.api.me.get()).id).toBe(alice.user.id);

    // My devices; ending one works like its logout.
    const devices = await alice.api.me.sessions();
    expect(devices.map((d) => [d.deviceId, d.current]).sort()).toEqual([["laptop", true], ["phone", false]]);
    const tablet = new EdgeImApi({ baseUrl: inject("workerUrl"), deviceId: "tablet" });
    await tablet.auth.login({ username: alice.user.username, password: alice.password });
    await alice.api.me.endSession("tablet");
    await expect(tablet.me.get()).rejects.toMatchObject({ code: "unauthorized", status: 401 });

    await phone.auth.logout();
    expect(phone.isSignedIn()).toBe(false);
    expect(phone.session()).toBeNull();
    await expect(phone.me.get()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(changes).toEqual(["laptop"]);
  });

  it("profile and user look-ups", async () => {
    const bob = await user("bob");
    expect(await bob.api.me.update({ displayName: "Bob B", bio: "hello" })).toMatchObject({ displayName: "Bob B", bio: "hello" });
    expect((await bob.api.me.get()).displayName).toBe("Bob B");
    const viewer = await user("viewer");
    expect(await viewer.api.users.byUsername(bob.user.username.toUpperCase())).toMatchObject({ id: bob.user.id, displayName: "Bob B" });
    expect((await viewer.api.users.get(bob.user.id)).username).toBe(bob.user.username);
  });

  it("friends: request, decline, ask again, accept, remark, remove", async () => {
    const [ann, ben] = [await user("ann"), await user("ben")];
    const first = await ann.api.friends.request({ username: ben.user.username }, "hi, it is Ann");
    expect(first).toMatchObject({ status: "pending", message: "hi, it is Ann", to: { id: ben.user.id } });
    expect((await ben.api.friends.requests()).map((r) => r.id)).toEqual([first.id]);
    expect(await ben.api.friends.decline(first.id)).toMatchObject({ status: "declined" });
    expect((await ann.api.friends.requests({ direction: "outgoing", status: "declined" })).map((r) => r.id)).toEqual([first.id]);

    const second = await ann.api.friends.request({ userId: ben.user.id });
    const friend = await ben.api.friends.accept(second.id);
    expect(friend.user.id).toBe(ann.user.id);
    expect((await ann.api.friends.list()).map((f) => f.user.id)).toEqual([ben.user.id]);
    expect(await ann.api.friends.update(ben.user.id, { remark: "Benny" })).toMatchObject({ remark: "Benny" });
    expect((await ann.api.friends.get(ben.user.id)).remark).toBe("Benny");
    await ann.api.friends.remove(ben.user.id);
    expect(await ben.api.friends.list()).toEqual([]);
  });

  it("groups: create, view, update, members, roles, leave, dismiss", async () => {
    const [owner, member, joiner, invitee] = [await user("own"), await user("mem"), await user("join"), await user("inv")];
    await member.api.me.update({ groupAddPolicy: "anyone" });
    const created = await owner.api.groups.create({ name: "weekend", memberIds: [member.user.id, invitee.user.id], joinPolicy: "open" });
    expect(created).toMatchObject({ added: [member.user.id], invited: [invitee.user.id] });
    const group = created.group;
    expect(group).toMatchObject({ name: "weekend", memberCount: 2, me: { role: "owner" } });
    const [invitation] = await invitee.api.groups.invitations();
    expect(invitation).toMatchObject({ group: { id: group.id }, inviter: { id: owner.user.id } });
    await invitee.api.groups.declineInvitation(invitation!.id);
    expect(await invitee.api.groups.invitations()).toEqual([]);
    expect((await owner.api.groups.list()).map((g) => g.id)).toContain(group.id);
    expect((await joiner.api.groups.get(group.id)).me).toBeNull(); // open: visible before joining
    expect(await owner.api.groups.update(group.id, { announcement: "bring snacks" })).toMatchObject({ announcement: "bring snacks" });

    expect((await joiner.api.groups.join(group.id)).me?.role).toBe("member");
    const invited = await joiner.api.groups.invite(group.id, [invitee.user.id, member.user.id]);
    expect(invited).toMatchObject({ added: [], invited: [invitee.user.id] });
    const [again] = await invitee.api.groups.invitations();
    expect((await invitee.api.groups.acceptInvitation(again!.id)).memberCount).toBe(4);
    expect((await owner.api.groups.kick(group.id, invitee.user.id)).memberCount).toBe(3);
    expect((await member.api.groups.updateMe(group.id, { nickname: "M", remark: "my crew" })).me).toMatchObject({ nickname: "M", remark: "my crew" });

    expect(await owner.api.groups.setAdmin(group.id, member.user.id, true)).toMatchObject({ role: "admin", user: { id: member.user.id } });
    expect((await owner.api.groups.setAdmin(group.id, member.user.id, false)).role).toBe("member");
    expect((await owner.api.groups.transferOwner(group.id, member.user.id)).me?.role).toBe("admin");
    const members = await member.api.groups.members(group.id);
    expect(members.map((m) => [m.user.id, m.role])).toEqual([
      [member.user.id, "owner"],
      [owner.user.id, "admin"],
      [joiner.user.id, "member"],
    ]);

    await joiner.api.groups.leave(group.id);
    expect((await joiner.api.groups.list()).map((g) => g.id)).not.toContain(group.id);
    await member.api.groups.dismiss(group.id);
    await expect(owner.api.groups.get(group.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
  });

  it("blocks: block ends the friendship, list, unblock", async () => {
    const [ida, jon] = [await user("ida"), await user("jon")];
    await befriend(ida, jon);
    expect(await ida.api.blocks.block(jon.user.id)).toMatchObject({ user: { id: jon.user.id } });
    expect((await ida.api.blocks.list()).map((b) => b.user.id)).toEqual([jon.user.id]);
    expect(await jon.api.friends.list()).toEqual([]);
    await ida.api.blocks.unblock(jon.user.id);
    expect(await ida.api.blocks.list()).toEqual([]);
  });

  it("messages, conversations and files", async () => {
    const [kim, lee] = [await user("kim"), await user("lee")];
    const conversationId = await befriend(kim, lee);

    const clientMsgId = randomUUID();
    const sent = await kim.api.messages.send({ to: { userId: lee.user.id }, clientMsgId, kind: "text", body: { text: "hello Lee" } });
    expect(sent).toMatchObject({ conversationId, seq: 1, senderId: kim.user.id, body: { text: "hello Lee" } });
    // A retry with the same clientMsgId is the same stored message, never a copy.
    expect(await kim.api.messages.send({ to: { userId: lee.user.id }, clientMsgId, kind: "text", body: { text: "hello Lee" } })).toEqual(sent);
    const second = await kim.api.messages.send({ to: { userId: lee.user.id }, kind: "text", body: { text: "no id given" } });
    expect(second.clientMsgId).toMatch(/^c-[0-9a-f]{32}$/);

    const [summary] = await lee.api.conversations.list();
    expect(summary).toMatchObject({ id: conversationId, kind: "direct", lastSeq: 2, unread: 2, peer: { id: kim.user.id } });
    expect((await lee.api.conversations.get(conversationId)).lastMessage?.id).toBe(second.id);
    const page = await lee.api.conversations.history(conversationId, { afterSeq: 0 });
    expect(page).toMatchObject({ hasMore: false, lastSeq: 2 });
    expect(page.messages.map((m) => m.id)).toEqual([sent.id, second.id]);
    expect((await lee.api.conversations.history(conversationId, { beforeSeq: 2, limit: 1 })).messages.map((m) => m.seq)).toEqual([1]);
    expect(await lee.api.conversations.read(conversationId, 2)).toEqual({ conversationId, readSeq: 2, unread: 0 });
    await lee.api.conversations.typing(conversationId);

    const recalled = await kim.api.messages.recall(sent.id);
    expect(recalled).toMatchObject({ id: sent.id, body: {} });
    expect(recalled.recalledAt).toEqual(expect.any(Number));

    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const progress: Array<[number, number]> = [];
    const image = await kim.api.files.upload("image", "pixel.png", bytes, { contentType: "image/png", onProgress: (s, t) => progress.push([s, t]) });
    expect(image).toMatchObject({ kind: "image", name: "pixel.png", mime: "image/png", size: 8, uploaderId: kim.user.id });
    expect(progress.at(-1)).toEqual([8, 8]);
    const note = await kim.api.files.upload("file", "note.txt", new Blob(["a note"], { type: "text/plain" }));
    expect(note).toMatchObject({ mime: "text/plain", size: 6 });
    await kim.api.messages.send({ to: { userId: lee.user.id }, kind: "image", body: { fileId: image.id, width: 1, height: 1 } });
    const downloaded = await lee.api.files.download(image.id);
    expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(bytes);
    expect(downloaded.type).toBe("image/png");
    expect(lee.api.files.url(image.id)).toBe(`/api/files/${image.id}`);
    await expect(lee.api.files.download(note.id)).rejects.toMatchObject({ code: "not_found", status: 404 }); // never sent to Lee: no file, as far as Lee can tell
  });

  it("client config, before signing in", async () => {
    const anonymous = new EdgeImApi({ baseUrl: inject("workerUrl"), fetch: recordingFetch(requests).fetch });
    const config = await anonymous.clientConfig();
    expect(config.recallWindowSeconds).toBeGreaterThan(0);
    expect(config).toHaveProperty("socketIoUrl");
    expect(await anonymous.health()).toEqual({ ok: true, d1: "ok" });
  });

  it("admin: find, disable, enable, dismiss a group, a notice, stats (EdgeImAdmin with the ADMIN_SECRET)", async () => {
    const admin = new EdgeImAdmin({ baseUrl: inject("workerUrl"), adminSecret: inject("adminSecret"), fetch: recordingFetch(requests).fetch });
    const [eve, fay] = [await user("eve"), await user("fay")];
    const found = await admin.users.find({ query: eve.user.username });
    expect(found).toEqual({ users: [expect.objectContaining({ id: eve.user.id, disabledAt: null })], nextCursor: null });

    expect((await admin.users.disable(eve.user.id)).disabledAt).toBeGreaterThan(0);
    await expect(eve.api.me.get()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    const relogin = new EdgeImApi({ baseUrl: inject("workerUrl") });
    await expect(relogin.auth.login({ username: eve.user.username, password: eve.password })).rejects.toMatchObject({
      code: "account_disabled",
      status: 403,
    });
    expect((await admin.users.enable(eve.user.id)).disabledAt).toBeNull();
    await relogin.auth.login({ username: eve.user.username, password: eve.password });

    await fay.api.me.update({ groupAddPolicy: "anyone" });
    const { group } = await relogin.groups.create({ name: "to dismiss", memberIds: [fay.user.id] });
    // A notice to this conversation only (one to everyone would reach the other suites' users).
    const posted = await admin.notice({ conversationId: group.conversationId, text: "closing this group" });
    expect(posted).toMatchObject({ message: { kind: "system", body: { event: "notice", text: "closing this group" } } });
    await admin.groups.dismiss(group.id);
    await expect(fay.api.groups.get(group.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(Array.isArray(await fay.api.notices.list({ limit: 5 }))).toBe(true);

    const stats = await admin.stats({ days: 2 });
    expect(stats.users.total).toBeGreaterThanOrEqual(2);
    expect(stats.messagesPerDay).toHaveLength(2);
    const wrong = new EdgeImAdmin({ baseUrl: inject("workerUrl"), adminSecret: "not the secret" });
    await expect(wrong.stats()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("failures are ApiErrors: code, message, status, issues", async () => {
    const api = new EdgeImApi({ baseUrl: inject("workerUrl") });
    const invalid = await api.auth.register({ username: "ok_name", password: "short" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect(invalid).toMatchObject({ code: "invalid_body", status: 400, name: "ApiError" });
    expect((invalid as ApiError).issues?.map((i) => i.path)).toEqual(["password"]);
    expect((invalid as ApiError).message).toMatch(/password/);
    expect(api.isSignedIn()).toBe(false);

    const taken = await user("taken");
    await expect(api.auth.register({ username: taken.user.username, password: "long enough password" })).rejects.toMatchObject({
      code: "username_taken",
      status: 409,
    });
    await expect(api.auth.login({ username: taken.user.username, password: "wrong password" })).rejects.toMatchObject({
      code: "invalid_credentials",
      status: 401,
    });
    await expect(taken.api.users.get(randomUUID())).rejects.toMatchObject({ code: "not_found", status: 404 });

    const unreachable = new EdgeImApi({ baseUrl: `http://127.0.0.1:${await deadPort()}` });
    const network = await unreachable.clientConfig().catch((e: unknown) => e);
    expect(network).toMatchObject({ code: "network_error", status: 0, isTransient: true });
  });

  it("every route was called by the tests above (through the SDK)", async () => {
    const routes = (await documentedRoutes()).filter((route) => route !== "GET /api/ws");
    const hit = new Set(requests.map((request) => routeOf(request, routes)));
    expect(routes.filter((route) => !hit.has(route))).toEqual([]);
  });
});
