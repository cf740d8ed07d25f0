import { Hono } from "hono";
import type { AppEnv } from "./env.js";
import { ApiError } from "./http/api-error.js";
import { jsonBodyLimit } from "./http/body-limit.js";
import { buildOpenApiDocument } from "./http/openapi.js";
import { logJson } from "./logging/request-context.js";
import { corsForConfiguredOrigins } from "./middleware/cors-origins.js";
import { requestLog } from "./middleware/request-log.js";
import { authRoutes } from "./routes/auth.js";
import { meRoutes } from "./routes/me.js";
import { userRoutes } from "./routes/users.js";
import { groupRoutes } from "./routes/groups.js";
import { groupMembershipRoutes } from "./routes/group-membership.js";
import { groupMemberRoutes } from "./routes/group-members.js";
import { groupRoleRoutes } from "./routes/group-roles.js";
import { friendRoutes } from "./routes/friends.js";
import { blockRoutes } from "./routes/blocks.js";
import { groupInvitationRoutes } from "./routes/group-invitations.js";
import { messageRoutes } from "./routes/messages.js";
import { conversationRoutes } from "./routes/conversations.js";
import { fileRoutes } from "./routes/files.js";
import { clientConfigRoutes } from "./routes/client-config.js";
import { healthRoutes } from "./routes/health.js";
import { noticeRoutes } from "./routes/notices.js";
import { adminRoutes } from "./routes/admin.js";
import { wsRoutes } from "./routes/ws.js";
import { bridgeLinkRoutes } from "./bridge-link/internal-routes.js";
import { typingRoutes } from "./bridge-link/typing-route.js";

/** Every resource router, mounted at its own prefix. */
const routers = [authRoutes, meRoutes, userRoutes, friendRoutes, blockRoutes, groupInvitationRoutes, groupRoutes, groupMembershipRoutes, groupMemberRoutes, groupRoleRoutes, messageRoutes, conversationRoutes, fileRoutes, clientConfigRoutes, healthRoutes, noticeRoutes, adminRoutes, wsRoutes, bridgeLinkRoutes, typingRoutes];

export const app = new Hono<AppEnv>();

// First of all: the request id (X-Request-Id) and one JSON log line per request.
app.use("*", requestLog);

// CORS first, so preflights and every answer (errors and 413s included) carry its headers.
// Only the public API: /internal/* is server-to-server and never answers a browser.
app.use("/api/*", corsForConfiguredOrigins);

// Uploads (POST /api/files) are raw bytes with per-kind limits of their own (routes/files.ts).
app.use("/api/*", (c, next) => (c.req.method === "POST" && c.req.path === "/api/files" ? next() : jsonBodyLimit(c, next)));

for (const router of routers) app.route(router.prefix, router.app);

app.get("/api/openapi.json", (c) => c.json(buildOpenApiDocument()));
// Everything outside /api/* and /internal/* is the web client, served from web/dist by
// Workers static assets before this Worker runs (wrangler.toml [assets]).

app.notFound((c) => c.json(new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`).toBody(), 404));

app.onError((error, c) => {
  if (error instanceof ApiError) {
    return c.json(error.toBody(), error.status as 400, error.headers);
  }
  // Anything else is our fault, never the client's: log it and say so without details.
  logJson("error", "unhandled error", { method: c.req.method, path: c.req.path, error, stack: error instanceof Error ? error.stack : undefined });
  return c.json(new ApiError("internal", "internal error").toBody(), 500);
});
