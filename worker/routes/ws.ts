import { z } from "zod";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import { ApiError } from "../http/api-error.js";
import { isAllowedOrigin } from "../middleware/cors-origins.js";
import { apiRouter } from "../http/api-router.js";
import { HUB_HEADERS, userHub } from "../user-hub/stub.js";

export const wsRoutes = apiRouter("/api/ws", "realtime");

const WsQuery = z.object({ token: z.string().min(1).max(4096).optional() });

/** An access token is a JWT: three base64url parts. Other offered subprotocols are names. */
const looksLikeJwt = (value: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);

wsRoutes.get(
  "/",
  {
    summary:
      "Open the edge WebSocket (frames in docs/PROTOCOL.md). Token as ?token= or as a Sec-WebSocket-Protocol value, which is echoed back",
    auth: false,
    query: WsQuery,
    response: { status: 101, description: "switching protocols: the socket is held by the user's Durable Object" },
    errors: ["forbidden", "unauthorized", "token_expired", "upgrade_required"],
  },
  async (c, { query }) => {
    // Before anything else: a page on a foreign site must not open a socket with a token it got hold of.
    const origin = c.req.header("Origin");
    if (!isAllowedOrigin(origin, c.env.CORS_ORIGINS ?? "", new URL(c.req.url).origin)) {
      throw new ApiError("forbidden", `origin ${origin} may not open the WebSocket (CORS_ORIGINS)`);
    }
    const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    const protocolToken = offered.find(looksLikeJwt);
    const token = query.token ?? protocolToken;
    if (!token) throw new ApiError("unauthorized", "missing access token (?token= or Sec-WebSocket-Protocol)");
    const verified = await verifyAccessToken(c.env.AUTH_SECRET, token);
    if (!verified.ok) {
      throw verified.reason === "expired"
        ? new ApiError("token_expired", "access token expired: refresh it and reconnect")
        : new ApiError("unauthorized", "invalid access token");
    }
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("upgrade_required", "this endpoint speaks WebSocket only (Upgrade: websocket)");
    }
    // Forward the upgrade itself (not Hono's upgradeWebSocket, which would accept it here,
    // without hibernation): the user's object accepts it. Identity comes from the token only.
    const headers = new Headers(c.req.raw.headers);
    headers.set(HUB_HEADERS.userId, verified.userId);
    headers.set(HUB_HEADERS.deviceId, verified.deviceId);
    headers.set(HUB_HEADERS.sessionId, verified.sessionId);
    headers.delete(HUB_HEADERS.protocol);
    // Browsers fail the handshake unless the server picks one of the offered subprotocols.
    const chosen = protocolToken ?? offered[0];
    if (chosen) headers.set(HUB_HEADERS.protocol, chosen);
    return userHub(c.env, verified.userId).fetch(new Request(c.req.raw, { headers }));
  },
);
