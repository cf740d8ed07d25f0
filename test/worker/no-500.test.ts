import { describe, expect, it } from "vitest";
import { call, registerUser } from "./http.js";

// "Never a 500 for something a client sent": every route the OpenAPI document lists gets
// a battery of wrong inputs (bad ids, bad JSON, wrong types, odd queries), signed in and
// not. Each answer must be a 4xx with the uniform error body, or a success.
const BAD_BODIES: unknown[] = [
  undefined,
  "{ not json",
  [],
  null,
  42,
  "a string",
  { to: "x", kind: 7, body: null, name: { $gt: "" }, userIds: "nope", seq: -1 },
  { userIds: Array.from({ length: 3 }, () => "00000000-0000-4000-8000-000000000000"), seq: 1e308 },
  { __proto__: { admin: true }, constructor: { prototype: { x: 1 } } },
];
const PATH_VALUES = ["00000000-0000-4000-8000-000000000000", "not-an-id", "%00", "d:x:y", "g:" + "9".repeat(36), "me"];
const QUERIES = ["", "?afterSeq=-5&limit=abc", "?beforeSeq=1e99&limit=100000", "?username=&direction=sideways&kind=exe&name="];

describe("hostile input", () => {
  it("never answers 500 to anything a client can send", async () => {
    const user = await registerUser("fuzz");
    const doc = await call("GET", "/api/openapi.json");
    const failures: string[] = [];
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) {
        if (path === "/api/ws") continue; // the upgrade has its own tests (ws.test.ts)
        for (const value of PATH_VALUES) {
          const concrete = path.replace(/\{\w+\}/g, encodeURIComponent(value));
          for (const query of QUERIES) {
            for (const body of method === "get" ? [undefined] : BAD_BODIES) {
              for (const token of [user.token, undefined]) {
                const res = await call(method.toUpperCase(), concrete + query, {
                  ...(token ? { token } : {}),
                  ...(typeof body === "string" ? { rawBody: body } : body === undefined ? {} : { body }),
                });
                const wellFormed = res.status < 300 || (res.status < 500 && typeof res.body?.error?.code === "string");
                if (!wellFormed) failures.push(`${method.toUpperCase()} ${concrete}${query} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
