// Property: whatever a client sends to any route of the OpenAPI document (random path
// values, queries, bodies of any JSON shape, bodies with the route's own field names but
// wrong types, oversized or non-JSON bodies, odd content types, any token or none), the
// answer is a success or a 4xx with the uniform error body: never a 500.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, registerUser } from "./http.js";

interface Operation {
  method: string;
  path: string;
  /** Field names the route's JSON body schema mentions (any branch of a union). */
  fields: string[];
  /** Query parameter names it documents. */
  query: string[];
}

type Schema = { properties?: Record<string, Schema>; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; items?: Schema };

function fieldNames(schema: Schema | undefined, into = new Set<string>()): Set<string> {
  if (!schema) return into;
  for (const [name, inner] of Object.entries(schema.properties ?? {})) {
    into.add(name);
    fieldNames(inner, into);
  }
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) fieldNames(branch, into);
  return into;
}

// Routes that end the caller's own session would leave the rest of the run unauthenticated;
// they take no input beyond the token, which other tests cover.
const SESSION_ENDING = /^(post \/api\/auth\/logout|delete \/api\/me\/sessions)/;

async function operations(): Promise<Operation[]> {
  const doc = (await call("GET", "/api/openapi.json")).body as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: { name: string; in: string }[] }>>;
  };
  const found: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (path === "/api/ws") continue; // the upgrade: see property-frames.test.ts and ws.test.ts
    for (const [method, op] of Object.entries(ops)) {
      if (SESSION_ENDING.test(`${method} ${path}`)) continue;
      found.push({
        method: method.toUpperCase(),
        path,
        fields: [...fieldNames(op.requestBody?.content?.["application/json"]?.schema)],
        query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
      });
    }
  }
  return found;
}

const pathValue = fc.oneof(
  fc.uuid(),
  fc.string(),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.constantFrom("me", "%00", "..", "d:x:y", "g:" + "9".repeat(36), "d:00000000-0000-4000-8000-000000000000:00000000-0000-4000-8000-000000000001"),
);
const scalar = fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String), fc.constantFrom("", "-1", "1e999", "NaN", "true", "[]"));

function request(op: Operation) {
  const anyJson = fc.jsonValue();
  const ownFieldsWrongTypes = op.fields.length
    ? fc.dictionary(fc.constantFrom(...op.fields), fc.oneof(fc.anything(), fc.string({ maxLength: 20_000 })), { maxKeys: op.fields.length })
    : fc.constant({});
  const body = fc.oneof(
    fc.constant(undefined),
    anyJson.map((value) => ({ json: value })),
    ownFieldsWrongTypes.map((value) => ({ json: value })),
    fc.string().map((raw) => ({ raw })),
    // Over the 64 KiB JSON body limit.
    fc.integer({ min: 65_537, max: 80_000 }).map((size) => ({ raw: JSON.stringify({ text: "x".repeat(size) }) })),
  );
  const query = fc.dictionary(fc.oneof(fc.constantFrom(...op.query, "x"), fc.string({ maxLength: 8 })), scalar, { maxKeys: 4 });
  return fc.record({
    params: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
    query,
    body,
    contentType: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", ""),
    auth: fc.constantFrom("valid", "none", "garbage"),
  });
}

describe("property: no route answers 500", () => {
  it("holds for random, malformed, oversized and wrongly typed input on every route", async () => {
    const user = await registerUser("prop");
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(30);
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops).chain((op) => request(op).map((input) => ({ op, input }))),
        async ({ op, input }) => {
          let i = 0;
          const path = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(input.params[i++]!));
          const search = new URLSearchParams(input.query).toString();
          const headers: Record<string, string> = {};
          if (input.contentType) headers["Content-Type"] = input.contentType;
          if (input.auth === "valid") headers.Authorization = `Bearer ${user.token}`;
          if (input.auth === "garbage") headers.Authorization = "Bearer eyJhbGciOiJub25lIn0.e30.";
          const rawBody = input.body === undefined || op.method === "GET" ? undefined : "raw" in input.body ? input.body.raw : JSON.stringify(input.body.json);
          const res = await call(op.method, `${path}${search ? `?${search}` : ""}`, { headers, ...(rawBody === undefined ? {} : { rawBody }) });
          const wellFormed = res.status < 300 || (res.status < 500 && typeof res.body?.error?.code === "string" && typeof res.body?.error?.message === "string");
          if (!wellFormed) failures.push(`${op.method} ${path}?${search} ${String(rawBody).slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return wellFormed;
        },
      ),
      // The seed of a failing run is in the error: `seed: N` here replays it.
      { numRuns: 800, endOnFailure: true },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${failures.join("\n")}`);
    });
  }, 180_000);
});
