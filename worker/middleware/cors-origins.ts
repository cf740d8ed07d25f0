import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";

/**
 * CORS for the browser origins listed in the `CORS_ORIGINS` var (comma-separated, e.g.
 * "https://chat.example,https://admin.example"). Empty or unset: same-origin only, no CORS
 * headers at all. "*" allows any origin (for local experiments only: any web page could
 * then call the API with a token it holds).
 *
 * Tokens travel in the Authorization header, never in cookies, so no credentials mode.
 */
export const corsForConfiguredOrigins = createMiddleware<AppEnv>(async function corsForConfiguredOrigins(c, next) {
  const handler = corsFor(c.env.CORS_ORIGINS ?? "");
  return handler ? handler(c, next) : next();
});

/** One Hono `cors` handler per distinct var value (the value is fixed for a deployment). */
const handlers = new Map<string, MiddlewareHandler | null>();

function corsFor(setting: string): MiddlewareHandler | null {
  let handler = handlers.get(setting);
  if (handler === undefined) {
    const origins = parseOrigins(setting);
    handler =
      origins.length === 0
        ? null
        : cors({
            origin: origins.includes("*") ? "*" : origins,
            allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            // What the API reads: the bearer token, JSON or upload types, byte ranges of downloads.
            allowHeaders: ["Authorization", "Content-Type", "Range"],
            // What a client needs to read beyond the CORS-safelisted response headers.
            exposeHeaders: ["Retry-After", "Content-Range", "Accept-Ranges", "Content-Disposition", "Content-Length", "ETag"],
            maxAge: 600,
          });
    handlers.set(setting, handler);
  }
  return handler;
}

/** "a, b ,,c" -> ["a", "b", "c"]; a trailing slash is dropped, since an Origin never has one. */
export function parseOrigins(setting: string): string[] {
  return setting
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin.length > 0);
}

/**
 * Whether a browser on `origin` may open the edge WebSocket: CORS does not cover WebSocket
 * upgrades (browsers open cross-origin sockets without asking), so GET /api/ws checks the
 * Origin itself. Allowed: no Origin (a non-browser client), the Worker's own origin (the
 * web client it serves), an origin listed in CORS_ORIGINS, or any when it lists "*".
 */
export function isAllowedOrigin(origin: string | undefined, setting: string, selfOrigin: string): boolean {
  if (origin === undefined || origin === "") return true;
  if (origin === selfOrigin) return true;
  const allowed = parseOrigins(setting);
  return allowed.includes("*") || allowed.includes(origin);
}
