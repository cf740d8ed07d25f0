// The back office (/api/admin/*): only the ADMIN_SECRET opens it (no secret configured = no
// back office at all); finding, disabling and enabling users, dismissing groups, notices to a
// conversation or to everyone, and the counts.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { CLOSE_CODES } from "../../protocol/index.js";
import { app } from "../../worker/app.js";
import { call, errorCode, registerUser } from "./http.js";
import { messageDbOfMessage } from "./message-dbs.js";
import { befriend, createGroup, send, textTo } from "./messaging-fixtures.js";
import { connect } from "./ws-client.js";

const PASSWORD = "correct horse battery";
const admin = (method: string, path: string, body?: unknown) =>
  call(method, `/api/admin${path}`, { headers: { Authorization: `Bearer ${env.ADMIN_SECRET}` }, ...(body !== undefined ? { body } : {}) });
const login = (username: string, deviceId = "d1") => call("POST", "/api/auth/login", { body: { username, password: PASSWORD, deviceId } });

const ROUTES: Array<[string, string, unknown?]> = [
  ["GET", "/api/admin/users"],
  ["POST", `/api/admin/users/${crypto.randomUUID()}/disable`],
  ["POST", `/api/admin/users/${crypto.randomUUID()}/enable`],
  ["DELETE", `/api/admin/groups/${crypto.randomUUID()}`],
  ["POST", "/api/admin/notices", { text: "hello" }],
  ["GET", "/api/admin/stats"],
];

describe("admin: who may call it", () => {
  it("without an ADMIN_SECRET (or a too short one) every admin route answers 404", async () => {
    for (const secret of [undefined, "", "short-secret"]) {
      for (const [method, path, body] of ROUTES) {
        const response = await app.request(
          path,
          {
            method,
            headers: { Authorization: `Bearer ${secret ?? "anything"}`, "Content-Type": "application/json" },
            ...(body ? { body: JSON.stringify(body) } : {}),
          },
          { ...env, ADMIN_SECRET: secret },
          createExecutionContext(),
        );
        expect(response.status, `${method} ${path} with ${String(secret)}`).toBe(404);
      }
    }
  });

  it("refuses a missing or wrong secret and a user's access token with 401", async () => {
    const user = await registerUser("notadmin");
    for (const [method, path, body] of ROUTES) {
      const options = body ? { body } : {};
      const none = await call(method, path, options);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(errorCode(none)).toBe("unauthorized");
      const wrong = await call(method, path, { ...options, headers: { Authorization: `Bearer ${env.ADMIN_SECRET}x` } });
      expect(wrong.status).toBe(401);
      const userToken = await call(method, path, { ...options, token: user.token });
      expect(userToken.status).toBe(401);
      expect(errorCode(userToken)).toBe("unauthorized");
    }
  });

  it("is in the OpenAPI document with its own security scheme", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body;
    expect(doc.paths["/api/admin/users/{id}/disable"].post.security).toEqual([{ adminSecret: [] }]);
    expect(doc.components.securitySchemes.adminSecret).toMatchObject({ type: "http", scheme: "bearer" });
  });
});

describe("admin: users", () => {
  it("finds users by username prefix (ignoring case, paged) and by id", async () => {
    const tag = `zq${Math.random().toString(36).slice(2, 6)}`;
    const made = [];
    for (const n of [1, 2, 3]) made.push(await registerUser(`${tag}_${n}_`));
    const all = await admin("GET", `/users?query=${tag.toUpperCase()}`);
    expect(all.status).toBe(200);
    expect(all.body.users.map((u: { id: string }) => u.id)).toEqual(made.map((u) => u.user.id));
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.users[0]).toMatchObject({ username: made[0]!.user.username, disabledAt: null, online: false });

    const first = await admin("GET", `/users?query=${tag}&limit=2`);
    expect(first.body.users).toHaveLength(2);
    expect(first.body.nextCursor).toBe(made[1]!.user.username);
    const second = await admin("GET", `/users?query=${tag}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.users.map((u: { id: string }) => u.id)).toEqual([made[2]!.user.id]);
    expect(second.body.nextCursor).toBeNull();

    const byId = await admin("GET", `/users?query=${made[1]!.user.id}`);
    expect(byId.body.users.map((u: { id: string }) => u.id)).toEqual([made[1]!.user.id]);
    // LIKE wildcards in the query are plain characters.
    expect((await admin("GET", `/users?query=${encodeURIComponent("%")}`)).body.users).toEqual([]);
    expect(errorCode(await admin("GET", "/users?limit=0"))).toBe("invalid_query");
  });

  it("disable: login and refresh answer 403 account_disabled, the token stops, the socket closes with 4003; enable: login works again", async () => {
    const user = await registerUser("dora", "phone");
    const socket = await connect(user.token);

    const disabled = await admin("POST", `/users/${user.user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.user).toMatchObject({ id: user.user.id });
    expect(disabled.body.user.disabledAt).toBeGreaterThan(0);

    expect(await socket.next("session.ended")).toMatchObject({ deviceId: "phone", reason: "disabled" });
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionEnded);
    const me = await call("GET", "/api/me", { token: user.token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("unauthorized");

    const refused = await login(user.user.username);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe("account_disabled");
    const refresh = await call("POST", "/api/auth/refresh", { body: { refreshToken: user.refreshToken } });
    expect(refresh.status).toBe(403);
    expect(errorCode(refresh)).toBe("account_disabled");
    // A wrong password still says only that: the disabled state is not told to strangers.
    const wrong = await call("POST", "/api/auth/login", { body: { username: user.user.username, password: "wrong password" } });
    expect(errorCode(wrong)).toBe("invalid_credentials");

    // Disabling again keeps the first time.
    const again = await admin("POST", `/users/${user.user.id}/disable`);
    expect(again.body.user.disabledAt).toBe(disabled.body.user.disabledAt);
    expect((await admin("GET", `/users?query=${user.user.id}`)).body.users[0].disabledAt).toBe(disabled.body.user.disabledAt);

    const enabled = await admin("POST", `/users/${user.user.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.user.disabledAt).toBeNull();
    const back = await login(user.user.username);
    expect(back.status).toBe(200);
    expect((await call("GET", "/api/me", { token: back.body.accessToken })).status).toBe(200);
    // The sessions the disable ended stay ended.
    expect((await call("GET", "/api/me", { token: user.token })).status).toBe(401);
  });

  it("answers 404 for a user that does not exist", async () => {
    for (const action of ["disable", "enable"]) {
      expect((await admin("POST", `/users/${crypto.randomUUID()}/${action}`)).status).toBe(404);
      expect((await admin("POST", `/users/not-an-id/${action}`)).status).toBe(404);
    }
  });
});

describe("admin: groups", () => {
  it("dismisses a group as its owner would: members get the system message and group.removed", async () => {
    const owner = await registerUser("gown");
    const member = await registerUser("gmem");
    const { groupId, conversationId } = await createGroup(owner, [member]);
    const socket = await connect(member.token);

    const dismissed = await admin("DELETE", `/groups/${groupId}`);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toEqual({ ok: true });
    const last = await socket.next((f) => f.type === "message.new" && f.message.conversationId === conversationId);
    expect(last.message).toMatchObject({ kind: "system", senderId: "system", body: { event: "group_dismissed", by: null } });
    expect(await socket.next("group.removed")).toMatchObject({ groupId, reason: "dismissed" });
    expect((await call("GET", `/api/groups/${groupId}`, { token: owner.token })).status).toBe(404);
    expect((await admin("DELETE", `/groups/${groupId}`)).status).toBe(404);
    socket.close();
  });
});

describe("admin: notices", () => {
  it("to a conversation: a stored system message { event: notice } pushed to its members", async () => {
    const owner = await registerUser("nown");
    const member = await registerUser("nmem");
    const { conversationId } = await createGroup(owner, [member]);
    const socket = await connect(member.token);
    const posted = await admin("POST", "/notices", { conversationId, text: "maintenance at 02:00" });
    expect(posted.status).toBe(201);
    expect(posted.body.message).toMatchObject({ conversationId, kind: "system", senderId: "system", body: { event: "notice", text: "maintenance at 02:00" } });
    const pushed = await socket.next("message.new");
    expect(pushed.message.id).toBe(posted.body.message.id);
    const history = await call("GET", `/api/conversations/${encodeURIComponent(conversationId)}/messages`, { token: owner.token });
    expect(history.body.messages.map((m: { id: string }) => m.id)).toContain(posted.body.message.id);

    const unknown = await admin("POST", "/notices", { conversationId: `g:${crypto.randomUUID()}`, text: "nobody" });
    expect(unknown.status).toBe(404);
    expect(errorCode(await admin("POST", "/notices", { text: "   " }))).toBe("invalid_body");
    expect(errorCode(await admin("POST", "/notices", { conversationId: "nope", text: "x" }))).toBe("invalid_body");
    socket.close();
  });

  it("to everyone: stored, pushed as `notice` to who is online, listed by GET /api/notices", async () => {
    const online = await registerUser("non");
    const offline = await registerUser("noff");
    const socket = await connect(online.token);
    await vi.waitFor(async () => expect((await admin("GET", `/users?query=${online.user.id}`)).body.users[0].online).toBe(true));
    const before = Date.now() - 1;

    const posted = await admin("POST", "/notices", { text: "welcome to edge-im" });
    expect(posted.status).toBe(201);
    expect(posted.body.notice).toMatchObject({ text: "welcome to edge-im" });
    expect(await socket.next("notice")).toEqual({ type: "notice", notice: posted.body.notice });

    const listed = await call("GET", `/api/notices?since=${before}`, { token: offline.token });
    expect(listed.status).toBe(200);
    expect(listed.body.notices).toEqual([posted.body.notice]);
    expect((await call("GET", `/api/notices?since=${posted.body.notice.createdAt}`, { token: offline.token })).body.notices).toEqual([]);
    expect((await call("GET", "/api/notices")).status).toBe(401);
    socket.close();
  });
});

describe("admin: stats", () => {
  it("counts users, messages per day and who is online", async () => {
    const a = await registerUser("sa");
    const b = await registerUser("sb");
    const { groupId } = await createGroup(a, [b]);
    expect((await send(a, textTo({ groupId }, "one"))).status).toBe(201);
    const socket = await connect(a.token);

    await vi.waitFor(async () => {
      const stats = await admin("GET", "/stats?days=3");
      expect(stats.status).toBe(200);
      expect(stats.body.online.edge).toBeGreaterThanOrEqual(1);
      expect(stats.body.online.total).toBeGreaterThanOrEqual(stats.body.online.edge);
    });
    const stats = (await admin("GET", "/stats?days=3")).body;
    expect(stats.users.total).toBeGreaterThanOrEqual(2);
    expect(stats.messagesPerDay).toHaveLength(3);
    expect(stats.messagesPerDay[2]).toMatchObject({ day: new Date().toISOString().slice(0, 10) });
    expect(stats.messagesPerDay[2].messages).toBeGreaterThanOrEqual(2); // group_created + "one"
    expect((await admin("GET", "/stats")).body.messagesPerDay).toHaveLength(7);
    expect(errorCode(await admin("GET", "/stats?days=91"))).toBe("invalid_query");
    socket.close();
  });

  it("counts the pushes owed: a message whose push is not recorded, until it is", async () => {
    const a = await registerUser("owa");
    const b = await registerUser("owb");
    await befriend(a, b);
    const sent = await send(a, textTo({ userId: b.user.id }, "owed?"));
    const id = sent.body.message.id as string;
    const d1 = await messageDbOfMessage(id);
    const owed = async () => (await admin("GET", "/stats")).body.pushesOwed as number;
    // Its push completes and is recorded: nothing is owed.
    await vi.waitFor(async () => expect(await owed()).toBe(0), { timeout: 2_000, interval: 20 });
    // As if the isolate died before recording it.
    await d1.prepare("UPDATE messages SET pushed_at = NULL WHERE id = ?1").bind(id).run();
    expect(await owed()).toBe(1);
  });
});
