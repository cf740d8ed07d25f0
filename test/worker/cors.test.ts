// CORS: the Worker answers browsers on the origins in CORS_ORIGINS (vitest.config.ts sets
// "https://chat.example"), preflight included, on /api/* only.
import { SELF } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../worker/env.js";
import { corsForConfiguredOrigins, parseOrigins } from "../../worker/middleware/cors-origins.js";
import { BASE, call, registerUser } from "./http.js";
import { TestSocket, upgrade } from "./ws-client.js";

const ALLOWED = "https://chat.example";
const OTHER = "https://evil.example";

function preflight(path: string, origin: string): Promise<Response> {
  return SELF.fetch(BASE + path, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization" },
  });
}

describe("CORS on /api/*", () => {
  it("answers a preflight from an allowed origin with 204 and the allow headers", async () => {
    const res = await preflight("/api/auth/login", ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(res.headers.get("Access-Control-Allow-Methods")?.split(",")).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]));
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["authorization", "content-type"]),
    );
    expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
    expect(res.headers.get("Vary")).toContain("Origin");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("gives another origin's preflight no Access-Control-Allow-Origin", async () => {
    const res = await preflight("/api/auth/login", OTHER);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("marks actual answers for an allowed origin, errors included, and exposes the headers clients read", async () => {
    const reg = await call("POST", "/api/auth/register", {
      body: { username: "cors_user", password: "correct horse battery" },
      headers: { Origin: ALLOWED },
    });
    expect(reg.status).toBe(201);
    expect(reg.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(reg.headers.get("Access-Control-Expose-Headers")?.split(",")).toEqual(
      expect.arrayContaining(["Retry-After", "Content-Range", "Content-Disposition"]),
    );
    expect(reg.headers.get("Vary")).toContain("Origin");

    const denied = await call("GET", "/api/me", { headers: { Origin: ALLOWED } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);

    const unknown = await call("GET", "/api/no-such-route", { headers: { Origin: ALLOWED } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
  });

  it("does not mark answers for another origin or for a request without one", async () => {
    const other = await call("POST", "/api/auth/login", { body: { username: "nobody-here", password: "whatever1" }, headers: { Origin: OTHER } });
    expect(other.status).toBe(401);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const none = await call("GET", "/api/openapi.json");
    expect(none.status).toBe(200);
    expect(none.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("leaves /internal/* alone, even for an allowed origin", async () => {
    const pre = await preflight("/internal/deliver", ALLOWED);
    expect(pre.status).not.toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const post = await call("POST", "/internal/deliver", { body: {}, headers: { Origin: ALLOWED } });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(post.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("still opens a WebSocket for an allowed origin (the upgrade answer survives the headers)", async () => {
    const user = await registerUser("corsws");
    const res = await upgrade(`?token=${encodeURIComponent(user.token)}`, { Origin: ALLOWED });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const socket = new TestSocket(res.webSocket!, res);
    expect(await socket.next("ready")).toMatchObject({ type: "ready", userId: user.user.id });
    socket.close();
  });
});

describe("CORS_ORIGINS settings", () => {
  const appWith = () => {
    const app = new Hono<AppEnv>();
    app.use("/api/*", corsForConfiguredOrigins);
    app.get("/api/ping", (c) => c.json({ ok: true }));
    return app;
  };
  const fromOrigin = { headers: { Origin: "https://anywhere.example" } };

  it("sends no CORS headers at all when empty (same-origin only)", async () => {
    for (const setting of ["", " , "]) {
      const res = await appWith().request("/api/ping", fromOrigin, { CORS_ORIGINS: setting });
      expect(res.status).toBe(200);
      expect([...res.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
    }
  });

  it("allows every origin with *", async () => {
    const res = await appWith().request("/api/ping", fromOrigin, { CORS_ORIGINS: "*" });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });

  it("parses a comma-separated list, trimming spaces and trailing slashes", () => {
    expect(parseOrigins(" https://a.example/, http://127.0.0.1:8787 ,,")).toEqual(["https://a.example", "http://127.0.0.1:8787"]);
  });
});
