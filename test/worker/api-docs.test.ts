import { describe, expect, it } from "vitest";
// The handbook, bundled as text by vite: the test fails when a route is added without docs.
import apiDoc from "../../docs/API.md?raw";
import { call } from "./http.js";

describe("docs/API.md", () => {
  it("documents every route the OpenAPI document lists", async () => {
    const openapi = await call("GET", "/api/openapi.json");
    const routes = Object.entries(openapi.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(routes.length).toBeGreaterThan(35);
    const headings = [...apiDoc.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
    const undocumented = routes.filter(
      (route) => !headings.some((h) => h.includes(`\`${route}\``) || h.includes(`\`${route}?`)),
    );
    expect(undocumented).toEqual([]);
  });
});
