// Sessions that end: logout, a newer login on the device, ending another device's session
// and refresh-token reuse stop the access token at once and close the device's sockets;
// rotation and login throttling hold under concurrency.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, directConversationId } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { call, errorCode, registerUser } from "./http.js";
import { befriend } from "./messaging-fixtures.js";
import { connect, upgrade } from "./ws-client.js";

const PASSWORD = "correct horse battery";
const login = (username: string, deviceId: string, headers: Record<string, string> = {}) =>
  call("POST", "/api/auth/login", { body: { username, password: PASSWORD, deviceId }, headers });

describe("ending a session", () => {
  it("logout stops the access token at once and closes the device's edge socket with 4003", async () => {
    const u = await registerUser("lou", "phone");
    const socket = await connect(u.token);
    expect((await call("GET", "/api/me", { token: u.token })).status).toBe(200);

    expect((await call("POST", "/api/auth/logout", { token: u.token })).status).toBe(200);

    const me = await call("GET", "/api/me", { token: u.token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("unauthorized");
    expect(await socket.next("session.ended")).toMatchObject({ deviceId: "phone", reason: "logout" });
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionEnded);
    // And the token opens no new socket.
    const again = await upgrade(`?token=${encodeURIComponent(u.token)}`);
    expect(again.status).toBe(401);
    expect(again.webSocket).toBeNull();
  });

  it("a newer login on the device ends the old session's token and socket, not the new one's", async () => {
    const u = await registerUser("max", "tablet");
    const oldSocket = await connect(u.token);
    const fresh = await login(u.user.username, "tablet");
    expect(fresh.status).toBe(200);

    expect((await call("GET", "/api/me", { token: u.token })).status).toBe(401);
    expect((await call("GET", "/api/me", { token: fresh.body.accessToken })).status).toBe(200);
    expect(await oldSocket.next("session.ended")).toMatchObject({ reason: "new_login" });
    expect((await oldSocket.closed).code).toBe(CLOSE_CODES.sessionEnded);
    const newSocket = await connect(fresh.body.accessToken);
    expect(await newSocket.leftover()).toEqual([]);
    newSocket.close();
  });

  it("answers 401, never 500, for a valid token of a user that does not exist", async () => {
    const token = await signAccessToken(env.AUTH_SECRET, { userId: crypto.randomUUID(), deviceId: "ghost", sessionId: crypto.randomUUID() }, 300);
    expect((await call("GET", "/api/me", { token })).status).toBe(401);
    expect((await call("POST", "/api/groups", { token, body: { name: "ghosts" } })).status).toBe(401);
    expect((await call("POST", "/api/friends/requests", { token, body: { username: "nobody-here" } })).status).toBe(401);
    // The send route asks the session with its rate limit (requireAuthAtLimit): the same 401.
    const send = await call("POST", "/api/messages", { token, body: { to: { userId: crypto.randomUUID() }, clientMsgId: "ghost-1", kind: "text", body: { text: "boo" } } });
    expect(send.status).toBe(401);
    expect(errorCode(send)).toBe("unauthorized");
  });

  it("a send after logout answers 401 and stores nothing, asked with the rate limit or from the cached answer", async () => {
    const amy = await registerUser("sendout", "phone");
    const ben = await registerUser("sendoutpeer", "phone");
    await befriend(amy, ben);
    const text = (clientMsgId: string) => ({ to: { userId: ben.user.id }, clientMsgId, kind: "text", body: { text: clientMsgId } });
    expect((await call("POST", "/api/messages", { token: amy.token, body: text("before") })).status).toBe(201);
    expect((await call("POST", "/api/auth/logout", { token: amy.token })).status).toBe(200);
    // The logout cleared this isolate's answer: the session is asked with the send's rate limit.
    const first = await call("POST", "/api/messages", { token: amy.token, body: text("after-1") });
    expect(first.status).toBe(401);
    expect(errorCode(first)).toBe("unauthorized");
    // Now the ended session is cached: refused before any call.
    expect((await call("POST", "/api/messages", { token: amy.token, body: text("after-2") })).status).toBe(401);
    const stored = await call("GET", `/api/conversations/${directConversationId(amy.user.id, ben.user.id)}/messages`, { token: ben.token });
    expect(stored.status).toBe(200);
    expect(stored.body.messages.map((m: { clientMsgId: string }) => m.clientMsgId)).toEqual(["before"]);
  });

  it("lists my devices and ends another device's session like its logout", async () => {
    const u = await registerUser("ned", "laptop");
    const phone = await login(u.user.username, "phone");
    const phoneSocket = await connect(phone.body.accessToken);

    const listed = await call("GET", "/api/me/sessions", { token: u.token });
    expect(listed.status).toBe(200);
    const byDevice = Object.fromEntries(listed.body.sessions.map((s: any) => [s.deviceId, s]));
    expect(Object.keys(byDevice).sort()).toEqual(["laptop", "phone"]);
    expect(byDevice.laptop).toMatchObject({ current: true });
    expect(byDevice.phone).toMatchObject({ current: false });
    expect(typeof byDevice.phone.createdAt).toBe("number");
    expect(typeof byDevice.phone.lastRefreshedAt).toBe("number");

    expect((await call("DELETE", "/api/me/sessions/phone", { token: u.token })).status).toBe(200);
    expect((await call("GET", "/api/me", { token: phone.body.accessToken })).status).toBe(401);
    expect((await call("POST", "/api/auth/refresh", { body: { refreshToken: phone.body.refreshToken } })).status).toBe(401);
    expect(await phoneSocket.next("session.ended")).toMatchObject({ reason: "revoked" });
    expect((await phoneSocket.closed).code).toBe(CLOSE_CODES.sessionEnded);

    const after = await call("GET", "/api/me/sessions", { token: u.token });
    expect(after.body.sessions.map((s: any) => s.deviceId)).toEqual(["laptop"]);
    const gone = await call("DELETE", "/api/me/sessions/phone", { token: u.token });
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe("not_found");
  });
});

describe("refresh rotation", () => {
  it("two concurrent refreshes with one token: exactly one wins", async () => {
    const u = await registerUser("ora", "desk");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401]);
    const winner = answers.find((a) => a.status === 200)!;
    // A lost race is not a reuse: the winner's session keeps working.
    expect((await call("GET", "/api/me", { token: winner.body.accessToken })).status).toBe(200);
  });

  it("reusing a rotated refresh token ends the session everywhere", async () => {
    const u = await registerUser("pia", "desk");
    const rotated = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(rotated.status).toBe(200);
    const socket = await connect(rotated.body.accessToken);

    // At once, it may be another tab that lost the race: refused, and the session lives.
    const raced = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(raced.status).toBe(401);
    expect((await call("GET", "/api/me", { token: rotated.body.accessToken })).status).toBe(200);

    // Past REFRESH_REUSE_GRACE_SECONDS (1 s here) it is a copy someone kept: the session ends.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const stolen = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(stolen.status).toBe(401);

    expect((await call("GET", "/api/me", { token: rotated.body.accessToken })).status).toBe(401);
    expect((await call("POST", "/api/auth/refresh", { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(401);
    expect(await socket.next("session.ended")).toMatchObject({ reason: "refresh_reuse" });
    expect((await socket.closed).code).toBe(CLOSE_CODES.sessionEnded);
  });
});

describe("login throttling", () => {
  it("N parallel wrong guesses cannot pass the limit of 10", async () => {
    const u = await registerUser("quin");
    const from = { "CF-Connecting-IP": "203.0.113.50" };
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => call("POST", "/api/auth/login", { body: { username: u.user.username, password: "wrong-pass" }, headers: from })),
    );
    expect(answers.filter((a) => a.status === 401)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    expect((await login(u.user.username, "x", from)).status).toBe(429);
  });

  it("limits failures per client address across usernames, with Retry-After", async () => {
    const from = { "CF-Connecting-IP": "203.0.113.51" };
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      for (const password of ["guess-one", "guess-two"]) {
        const r = await call("POST", "/api/auth/login", { body: { username: `target${i}`, password }, headers: from });
        statuses.push(r.status);
        if (r.status === 429) expect(r.headers.get("Retry-After")).toBe("900");
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    // Another address is not affected; a successful login is not a failure.
    const u = await registerUser("rae");
    expect((await login(u.user.username, "y", { "CF-Connecting-IP": "198.51.100.9" })).status).toBe(200);
  });
});
