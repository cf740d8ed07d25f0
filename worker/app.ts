import { Hono } from "hono";
import type { AppEnv } from "./env.js";
import { ApiError } from "./http/api-error.js";
import { jsonBodyLimit } from "./http/body-limit.js";
import { buildOpenApiDocument } from "./http/openapi.js";
import { authRoutes } from "./routes/auth.js";
import { meRoutes } from "./routes/me.js";
import { userRoutes } from "./routes/users.js";
import { groupRoutes } from "./routes/groups.js";
import { groupMembershipRoutes } from "./routes/group-membership.js";
import { groupMemberRoutes } from "./routes/group-members.js";
import { groupRoleRoutes } from "./routes/group-roles.js";
import { friendRoutes } from "./routes/friends.js";
import { messageRoutes } from "./routes/messages.js";
import { conversationRoutes } from "./routes/conversations.js";
import { fileRoutes } from "./routes/files.js";
import { wsRoutes } from "./routes/ws.js";
import { bridgeLinkRoutes } from "./bridge-link/internal-routes.js";
import { typingRoutes } from "./bridge-link/typing-route.js";

/** Every resource router, mounted at its own prefix. */
const routers = [authRoutes, meRoutes, userRoutes, friendRoutes, groupRoutes, groupMembershipRoutes, groupMemberRoutes, groupRoleRoutes, messageRoutes, conversationRoutes, fileRoutes, wsRoutes, bridgeLinkRoutes, typingRoutes];

export const app = new Hono<AppEnv>();

// Uploads (POST /api/files) are raw bytes with per-kind limits of their own (routes/files.ts).
app.use("/api/*", (c, next) => (c.req.method === "POST" && c.req.path === "/api/files" ? next() : jsonBodyLimit(c, next)));

for (const router of routers) app.route(router.prefix, router.app);

app.get("/api/openapi.json", (c) => c.json(buildOpenApiDocument()));
app.get("/", (c) => c.json({ name: "edge-im", api: "/api", openapi: "/api/openapi.json" }));

app.notFound((c) => c.json(new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`).toBody(), 404));

app.onError((error, c) => {
  if (error instanceof ApiError) {
    return c.json(error.toBody(), error.status as 400, error.headers);
  }
  // Anything else is our fault, never the client's: log it and say so without details.
  console.error("unhandled error", c.req.method, c.req.path, error);
  return c.json(new ApiError("internal", "internal error").toBody(), 500);
});
