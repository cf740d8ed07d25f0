// The request id: the caller's X-Request-Id when well-formed (else a fresh UUID) comes back
// in the answer, labels the request's one JSON log line, and rides along on the signed
// calls to the bridge as X-Request-Id (outside the signature).
import { createExecutionContext, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app.js";
import { SIGNATURE_HEADER } from "../../server-auth/signing.js";
import { callBridge } from "../../worker/bridge-link/bridge-client.js";
import { logLine, requestIdFrom, withRequestId } from "../../worker/logging/request-context.js";
import { requestLogLine } from "../../worker/middleware/request-log.js";
import { call } from "./http.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs the app in this isolate, capturing what it writes with console.log. */
async function logged(path: string, init: RequestInit = {}): Promise<{ response: Response; lines: unknown[] }> {
  const spy = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    const response = await app.request(path, init, env, createExecutionContext());
    return { response, lines: spy.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown) };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("request id", () => {
  it("echoes a well-formed X-Request-Id, and makes one up otherwise", async () => {
    const echoed = await call("GET", "/api/client-config", { headers: { "X-Request-Id": "lb-trace.0042:abc" } });
    expect(echoed.headers.get("X-Request-Id")).toBe("lb-trace.0042:abc");
    const fresh = await call("GET", "/api/client-config");
    expect(fresh.headers.get("X-Request-Id")).toMatch(UUID);
    const malformed = await call("GET", "/api/client-config", { headers: { "X-Request-Id": "no spaces <allowed>" } });
    expect(malformed.headers.get("X-Request-Id")).toMatch(UUID);
    // Errors carry it too.
    const missing = await call("GET", "/api/no-such-route", { headers: { "X-Request-Id": "trace-404-abcdef" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("X-Request-Id")).toBe("trace-404-abcdef");
    expect(requestIdFrom("x".repeat(65))).toMatch(UUID);
    expect(requestIdFrom("short")).toMatch(UUID);
  });

  it("writes one JSON line per request: id, method, route pattern, status, duration", async () => {
    const { response, lines } = await logged("/api/users/not-a-uuid", { headers: { "X-Request-Id": "trace-users-1234" } });
    expect(response.status).toBe(401);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", msg: "request", requestId: "trace-users-1234", method: "GET", route: "/api/users/:id", status: 401 });
    expect((lines[0] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);

    const health = await logged("/api/health");
    expect(health.lines).toEqual([expect.objectContaining({ route: "/api/health", status: 200, requestId: health.response.headers.get("X-Request-Id") })]);
  });

  it("formats log lines as JSON (the formatter as a unit)", () => {
    const line = requestLogLine({ requestId: "r-12345678", method: "POST", route: "/api/messages", status: 200, durationMs: 12 });
    expect(JSON.parse(line)).toEqual({ level: "info", msg: "request", requestId: "r-12345678", method: "POST", route: "/api/messages", status: 200, durationMs: 12 });
    const warning = withRequestId("r-87654321", () => logLine("warn", "core push failed", { event: "message.new", error: new Error("boom") }));
    expect(JSON.parse(warning)).toEqual({ level: "warn", msg: "core push failed", requestId: "r-87654321", event: "message.new", error: "Error: boom" });
  });

  it("carries the request id to the bridge as X-Request-Id, outside the signature", async () => {
    const seen: Headers[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      seen.push(new Headers(init?.headers));
      return new Response(JSON.stringify({ ok: true, nodes: [], failedNodes: [] }), { status: 200 });
    });
    const bridgeEnv = { ...env, BRIDGE_URL: "http://bridge.test", BRIDGE_URLS: "" };
    const payload = { event: { type: "typing", conversationId: "g:x", userId: crypto.randomUUID() }, userIds: [crypto.randomUUID()] };
    await withRequestId("trace-deliver-1", () => callBridge(bridgeEnv, "/internal/deliver", payload));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.get("X-Request-Id")).toBe("trace-deliver-1");
    expect(seen[0]!.get(SIGNATURE_HEADER)).toMatch(/^[0-9a-f]{64}$/);
  });
});
