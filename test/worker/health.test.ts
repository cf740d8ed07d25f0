// GET /api/health: no auth, D1 reachable -> 200 { ok: true, d1: "ok" }; D1 failing -> 503.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/app.js";
import { call } from "./http.js";

describe("GET /api/health", () => {
  it("answers 200 with D1 reachable, without auth, never cached", async () => {
    const health = await call("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ ok: true, d1: "ok" });
    expect(health.headers.get("Cache-Control")).toBe("no-store");
  });

  it("answers 503 naming D1 when the database fails", async () => {
    const brokenDb = {
      prepare: () => ({
        first: () => Promise.reject(new Error("D1_ERROR: database unavailable")),
      }),
    } as unknown as D1Database;
    const response = await app.request("/api/health", {}, { ...env, DB: brokenDb }, createExecutionContext());
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, d1: "down" });
  });
});
