// The web client as the local Worker serves it (Workers static assets from web/dist, built by
// wrangler's [build] command): the page at /, the client's own routes, and /api/* untouched.
// (The workers project cannot see this: its SELF.fetch reaches the Worker, never the assets.)
import { describe, expect, inject, it } from "vitest";

const page = (path: string, headers: Record<string, string> = {}) => fetch(`${inject("workerUrl")}${path}`, { headers });
const navigate = { "Sec-Fetch-Mode": "navigate", Accept: "text/html" };

describe("web client assets", () => {
  it("serves the page at / with its hashed script and style", async () => {
    const res = await page("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="app">');
    const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/app-[A-Z0-9]+\.js$/);
    expect(style).toMatch(/^\/assets\/app-[A-Z0-9]+\.css$/);
    const js = await page(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await page(style!)).status).toBe(200);
  });

  it("answers a client route with the same page, but never an /api/* path", async () => {
    const route = await page("/chats/somewhere", navigate);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
    const api = await page("/api/no-such-route", navigate);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("hands the client the Socket.IO gateway of this deployment", async () => {
    const config = (await (await page("/api/client-config")).json()) as { socketIoUrl: string | null };
    expect(config.socketIoUrl).toBe(inject("linkSocketUrl"));
  });
});
