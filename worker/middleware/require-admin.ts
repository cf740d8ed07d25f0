import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.js";
import { constantTimeEqual } from "../auth/password.js";
import { ApiError } from "../http/api-error.js";
import { logJson } from "../logging/request-context.js";

/** Shorter secrets are refused as if none were set: an admin secret must not be guessable. */
export const MIN_ADMIN_SECRET_LENGTH = 32;

const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

/**
 * The back office's guard: `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time
 * (both sides hashed first, so not even the length leaks). Without a usable ADMIN_SECRET the
 * back office does not exist: 404, as for any unknown route. A wrong or missing secret is a
 * 401; a user's access token is just a wrong secret here.
 */
export const requireAdmin = createMiddleware<AppEnv>(async function requireAdmin(c, next) {
  const secret = c.env.ADMIN_SECRET ?? "";
  if (secret.length < MIN_ADMIN_SECRET_LENGTH) {
    if (secret !== "") logJson("warn", "ADMIN_SECRET is too short: the back office is off", { min: MIN_ADMIN_SECRET_LENGTH });
    throw new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`);
  }
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("Authorization") ?? "");
  if (!match) throw new ApiError("unauthorized", "missing admin secret (Authorization: Bearer <ADMIN_SECRET>)");
  if (!constantTimeEqual(await sha256(match[1]!), await sha256(secret))) throw new ApiError("unauthorized", "wrong admin secret");
  await next();
});
