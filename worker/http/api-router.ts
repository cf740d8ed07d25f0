import { Hono, type Context } from "hono";
import type { z } from "zod";
import type { ErrorCode } from "../../protocol/index.js";
import type { AppEnv } from "../env.js";
import { requireAdmin } from "../middleware/require-admin.js";
import { requireAuth, requireAuthAtLimit } from "../middleware/require-auth.js";
import { parseJsonBody, parseQuery } from "./validate.js";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** What one route promises: the source of both its validation and its OpenAPI entry. */
export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  summary: string;
  /**
   * Defaults to true: the route needs `Authorization: Bearer <access token>`. "admin": the
   * back office's `Authorization: Bearer <ADMIN_SECRET>` instead (never a user's token).
   * "at-limit": a user's token whose session check may ride on the route's first call to the
   * user's object, its rate limit (requireAuthAtLimit; only for routes that take one first).
   */
  auth?: boolean | "admin" | "at-limit";
  body?: B;
  query?: Q;
  /** Success status and body schema (a non-JSON success is described by `description`). */
  response: { status: number; schema?: z.ZodType; description?: string; contentType?: string };
  /** The error codes this route can answer with beyond the generic ones. */
  errors?: ErrorCode[];
  /** A non-JSON request body (file upload), documented but not parsed here. */
  rawBody?: { contentType: string; description: string };
}

export interface RegisteredRoute extends RouteSpec<z.ZodType | undefined, z.ZodType | undefined> {
  method: Method;
  path: string;
  tag: string;
}

/** Every route of the API, in registration order; /api/openapi.json is built from it. */
export const routeRegistry: RegisteredRoute[] = [];

type Input<B, Q> = {
  body: B extends z.ZodType ? z.infer<B> : undefined;
  query: Q extends z.ZodType ? z.infer<Q> : undefined;
};

type Handler<B, Q> = (c: Context<AppEnv>, input: Input<B, Q>) => Response | Promise<Response>;

/**
 * One router per resource. Each route states its spec once; the router validates
 * the body and query with it (a handler never sees unchecked input) and records it
 * for the OpenAPI document.
 */
export function apiRouter(prefix: string, tag: string) {
  const app = new Hono<AppEnv>();

  const add =
    (method: Method) =>
    <B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
      path: string,
      spec: RouteSpec<B, Q>,
      handler: Handler<B, Q>,
    ) => {
      routeRegistry.push({ ...spec, method, path: prefix + (path === "/" ? "" : path), tag });
      const validated = async (c: Context<AppEnv>) => {
        const body = spec.body ? await parseJsonBody(c, spec.body) : undefined;
        const query = spec.query ? parseQuery(c, spec.query) : undefined;
        return handler(c, { body, query } as Input<B, Q>);
      };
      if (spec.auth === false) app.on(method.toUpperCase(), path, validated);
      else if (spec.auth === "admin") app.on(method.toUpperCase(), path, requireAdmin, validated);
      else if (spec.auth === "at-limit") app.on(method.toUpperCase(), path, requireAuthAtLimit, validated);
      else app.on(method.toUpperCase(), path, requireAuth, validated);
    };

  return {
    app,
    prefix,
    get: add("get"),
    post: add("post"),
    put: add("put"),
    patch: add("patch"),
    delete: add("delete"),
  };
}
