import { CLOSE_CODES, EDGE_PING } from "../../protocol/index.js";
import type { EdgeImApi } from "../api/edge-im-api.js";
import { ApiError } from "../http/api-error.js";
import type { Disconnect, Transport } from "./transport.js";

/**
 * The edge WebSocket, `/api/ws`, held by the user's Durable Object. The token travels as a
 * subprotocol (browsers cannot set headers on a WebSocket, and it stays out of URLs and
 * logs); the server echoes it back.
 */
export function edgeTransport(api: EdgeImApi, WebSocketImpl: typeof WebSocket = globalThis.WebSocket): Transport {
  const url = `${api.baseUrl.replace(/^http/, "ws")}/api/ws`;
  return {
    open(accessToken, handlers) {
      const socket = new WebSocketImpl(url, [accessToken]);
      let opened = false;
      let over = false;
      const end = (disconnect: Disconnect) => {
        if (over) return;
        over = true;
        handlers.closed(disconnect);
      };
      socket.addEventListener("open", () => (opened = true));
      socket.addEventListener("message", (event) => {
        if (typeof event.data !== "string") return;
        let frame: unknown;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return; // Not JSON: not a frame of ours; the contract check above us would refuse it anyway.
        }
        handlers.frame(frame);
        // The 4003 close follows, but a closing handshake can take a while: this frame is enough.
        if ((frame as { type?: unknown } | null)?.type === "session.ended") end({ reason: "ended" });
      });
      socket.addEventListener("close", (event) => {
        if (event.code === CLOSE_CODES.replaced) return end({ reason: "replaced" });
        if (event.code === CLOSE_CODES.sessionEnded) return end({ reason: "ended" });
        if (opened) return end({ reason: "lost", detail: `socket closed (${event.code})` });
        // A refused upgrade is invisible to WebSocket clients (no status), so ask plainly.
        void whyRefused(api, accessToken).then(end);
      });
      return {
        send(frame) {
          if (socket.readyState !== WebSocketImpl.OPEN) return false;
          // The heartbeat as the exact text the server's runtime answers without waking the
          // user's object (protocol/frames.ts); the loop needs any answer, not its `t`.
          socket.send(frame.type === "ping" ? EDGE_PING : JSON.stringify(frame));
          return true;
        },
        close() {
          over = true; // the caller ends it: no `closed` callback, no probe
          socket.close(1000);
        },
      };
    },
  };
}

/**
 * `GET /api/ws` without an upgrade checks the token like the handshake does: 401 names
 * token_expired or unauthorized, 403 a refused Origin; 426 means the token is fine and the
 * failure was elsewhere.
 */
async function whyRefused(api: EdgeImApi, accessToken: string): Promise<Disconnect> {
  try {
    await api.http.request("GET", "/api/ws", { query: { token: accessToken }, auth: false });
  } catch (error) {
    if (error instanceof ApiError && (error.code === "token_expired" || error.code === "unauthorized")) {
      return { reason: "auth", code: error.code === "token_expired" ? "token_expired" : "unauthorized" };
    }
    // The page's Origin is not on the Worker's allow-list (CORS_ORIGINS).
    if (error instanceof ApiError && error.code === "forbidden") return { reason: "refused", detail: error.message };
  }
  return { reason: "lost", detail: "the socket did not open" };
}
