import type { Context } from "hono";
import { z } from "zod";
import { Id } from "../../protocol/index.js";
import { ApiError, notFound } from "./api-error.js";

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
}

function summary(issues: { path: string; message: string }[]) {
  return issues.map((i) => `${i.path}: ${i.message}`).join("; ");
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Parses a JSON body against a schema; malformed JSON and schema misses become 400s. */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    // The bytes, decoded strictly as UTF-8 whatever Content-Type says (JSON needs none here):
    // a body that is not UTF-8 is not JSON either.
    const text = utf8.decode(await c.req.arrayBuffer());
    raw = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ApiError("invalid_body", `invalid request body: ${summary(issues)}`, issues);
  }
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ApiError("invalid_query", `invalid query: ${summary(issues)}`, issues);
  }
  return parsed.data;
}

/** A path id that is not a UUID names nothing: 404, the same answer as an unknown id. */
export function idParam(c: Context, name: string, what: string): string {
  const value = c.req.param(name);
  if (!Id.safeParse(value).success) throw notFound(what);
  return value as string;
}
