import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signAccessToken } from "../../server-auth/access-token.js";
import { call, errorCode, registerUser } from "./http.js";

describe("accounts", () => {
  it("registers, logs in on a device, reads and updates the profile", async () => {
    const reg = await call("POST", "/api/auth/register", {
      body: { username: "alice", password: "s3cret-password", displayName: "Alice" },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ username: "alice", displayName: "Alice" });
    expect(reg.body.accessToken).toMatch(/^ey/);
    expect(reg.body.refreshToken.length).toBeGreaterThan(20);

    const login = await call("POST", "/api/auth/login", {
      body: { username: "ALICE", password: "s3cret-password", deviceId: "phone-1" },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(reg.body.user.id);
    expect(login.body.deviceId).toBe("phone-1");

    const me = await call("GET", "/api/me", { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: reg.body.user.id, username: "alice" });

    const patched = await call("PATCH", "/api/me", {
      token: login.body.accessToken,
      body: { displayName: "Alice L.", bio: "hello" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ displayName: "Alice L.", bio: "hello" });

    const lookedUp = await call("GET", "/api/users?username=Alice", { token: login.body.accessToken });
    expect(lookedUp.status).toBe(200);
    expect(lookedUp.body.user).toMatchObject({ id: reg.body.user.id, displayName: "Alice L." });
    expect(lookedUp.body.user.passwordHash).toBeUndefined();

    const byId = await call("GET", `/api/users/${reg.body.user.id}`, { token: login.body.accessToken });
    expect(byId.body.user.username).toBe("alice");
  });

  it("refuses a duplicate username (any case) with 409", async () => {
    await call("POST", "/api/auth/register", { body: { username: "bob", password: "password-1" } });
    const dup = await call("POST", "/api/auth/register", { body: { username: "Bob", password: "password-2" } });
    expect(dup.status).toBe(409);
    expect(errorCode(dup)).toBe("username_taken");
  });

  it("refuses a wrong password and an unknown user with 401", async () => {
    const u = await registerUser("carol");
    const wrong = await call("POST", "/api/auth/login", { body: { username: u.user.username, password: "nope-nope" } });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe("invalid_credentials");
    const unknown = await call("POST", "/api/auth/login", { body: { username: "nobody-here", password: "whatever1" } });
    expect(unknown.status).toBe(401);
  });

  it("throttles repeated failed logins from one client with 429, without locking the owner out elsewhere", async () => {
    const u = await registerUser("dave");
    const attacker = { "CF-Connecting-IP": "203.0.113.7" };
    for (let i = 0; i < 10; i++) {
      const r = await call("POST", "/api/auth/login", { body: { username: u.user.username, password: "wrong-pass" }, headers: attacker });
      expect(r.status).toBe(401);
    }
    const blocked = await call("POST", "/api/auth/login", {
      body: { username: u.user.username.toUpperCase(), password: "correct horse battery" },
      headers: attacker,
    });
    expect(blocked.status).toBe(429);
    expect(errorCode(blocked)).toBe("rate_limited");
    expect(blocked.headers.get("Retry-After")).toBe("900");

    const owner = await call("POST", "/api/auth/login", {
      body: { username: u.user.username, password: "correct horse battery" },
      headers: { "CF-Connecting-IP": "198.51.100.23" },
    });
    expect(owner.status).toBe(200);
  });

  it("rotates refresh tokens and revokes them on logout", async () => {
    const u = await registerUser("erin", "laptop");
    const refreshed = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.deviceId).toBe("laptop");
    expect(refreshed.body.refreshToken).not.toBe(u.refreshToken);

    const out = await call("POST", "/api/auth/logout", { token: refreshed.body.accessToken });
    expect(out.status).toBe(200);
    const afterLogout = await call("POST", "/api/auth/refresh", { body: { refreshToken: refreshed.body.refreshToken } });
    expect(afterLogout.status).toBe(401);
    expect(errorCode(afterLogout)).toBe("unauthorized");
    // The rotated token too (reusing it before the logout would have ended the session: sessions.test.ts).
    const reused = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(reused.status).toBe(401);
  });

  it("a new login on the same device ends that device's old session", async () => {
    const u = await registerUser("fay", "tablet");
    const again = await call("POST", "/api/auth/login", {
      body: { username: u.user.username, password: "correct horse battery", deviceId: "tablet" },
    });
    expect(again.status).toBe(200);
    const old = await call("POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(old.status).toBe(401);
  });

  it("refuses missing, forged and expired tokens", async () => {
    const u = await registerUser("gil");
    const none = await call("GET", "/api/me");
    expect(none.status).toBe(401);
    expect(errorCode(none)).toBe("unauthorized");

    const forged = await signAccessToken("not-the-secret-at-all-0123456789abcdef", {
      userId: u.user.id,
      deviceId: "x",
      sessionId: "s",
    }, 900);
    const bad = await call("GET", "/api/me", { token: forged });
    expect(bad.status).toBe(401);
    expect(errorCode(bad)).toBe("unauthorized");

    const expired = await signAccessToken(env.AUTH_SECRET, { userId: u.user.id, deviceId: "x", sessionId: "s" }, 60, Date.now() - 3600_000);
    const late = await call("GET", "/api/me", { token: expired });
    expect(late.status).toBe(401);
    expect(errorCode(late)).toBe("token_expired");

    const garbage = await call("GET", "/api/me", { token: "not.a.jwt" });
    expect(garbage.status).toBe(401);
  });

  it("answers malformed JSON, invalid bodies and oversized bodies with clear errors", async () => {
    const malformed = await call("POST", "/api/auth/register", {
      rawBody: "{ not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("invalid_json");

    const invalid = await call("POST", "/api/auth/register", { body: { username: "x", password: "short" } });
    expect(invalid.status).toBe(400);
    expect(errorCode(invalid)).toBe("invalid_body");
    expect(invalid.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["password", "username"]);

    const huge = await call("POST", "/api/auth/register", {
      body: { username: "huge", password: "x".repeat(100_000) },
    });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("payload_too_large");

    const u = await registerUser("hal");
    const emptyPatch = await call("PATCH", "/api/me", { token: u.token, body: {} });
    expect(emptyPatch.status).toBe(400);
    const badLookup = await call("GET", "/api/users?username=", { token: u.token });
    expect(badLookup.status).toBe(400);
    expect(errorCode(badLookup)).toBe("invalid_query");
    const notUuid = await call("GET", "/api/users/not-a-uuid", { token: u.token });
    expect(notUuid.status).toBe(404);
    const unknownRoute = await call("GET", "/api/nothing-here", { token: u.token });
    expect(unknownRoute.status).toBe(404);
    expect(errorCode(unknownRoute)).toBe("not_found");
  });

  it("serves an OpenAPI document naming every route", async () => {
    const doc = await call("GET", "/api/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.0.3");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/api/auth/register", "/api/auth/login", "/api/me", "/api/users/{id}"]),
    );
    expect(doc.body.paths["/api/auth/register"].post.requestBody.content["application/json"].schema.required).toEqual(
      expect.arrayContaining(["username", "password"]),
    );
  });
});
