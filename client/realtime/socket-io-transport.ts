import type { Socket } from "socket.io-client";
import type { ClientFrame, ClientToServerEvents, ServerToClientEvents } from "../../protocol/index.js";
import { ApiError } from "../http/api-error.js";
import type { Disconnect, Transport } from "./transport.js";

type GatewaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a gateway may take to answer `token.refresh`. */
const HAND_OVER_TIMEOUT_MS = 10_000;

/**
 * A Socket.IO gateway node (docs/PROTOCOL.md Part B, 8). socket.io-client's own
 * reconnection is off: the ConnectionLoop reconnects both transports the same way (fresh
 * token, backoff, sync after `ready`). socket.io-client is loaded on first use, so an
 * edge-only app does not ship it.
 */
export function socketIoTransport(url: string): Transport {
  return {
    async open(accessToken, handlers) {
      const { io } = await import("socket.io-client");
      const socket: GatewaySocket = io(url, {
        auth: { token: accessToken },
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      let over = false;
      const end = (disconnect: Disconnect) => {
        if (over) return;
        over = true;
        socket.disconnect();
        handlers.closed(disconnect);
      };
      // Event name = frame type; the payload is the frame (pushes carry their type already).
      socket.onAny((type: string, payload: unknown) => {
        if (typeof payload === "object" && payload !== null) handlers.frame({ ...payload, type });
      });
      socket.on("connect_error", (error) => {
        const code = (error as Error & { data?: { code?: unknown } }).data?.code;
        if (code === "token_expired" || code === "unauthorized") return end({ reason: "auth", code });
        if (code === "forbidden_origin") return end({ reason: "refused", detail: error.message });
        end({ reason: "lost", detail: error.message });
      });
      // The gateway disconnects right after it: this says why.
      socket.on("session.ended", () => end({ reason: "ended" }));
      socket.on("disconnect", (reason) => end({ reason: "lost", detail: `disconnected: ${reason}` }));
      return {
        send(frame) {
          if (!socket.connected) return false;
          emitFrame(socket, frame);
          return true;
        },
        async handOverToken(token) {
          const answer = await socket.timeout(HAND_OVER_TIMEOUT_MS).emitWithAck("token.refresh", { accessToken: token });
          if (answer.type === "error") throw ApiError.fromFrame(answer);
        },
        close() {
          over = true; // the caller ends it: no `closed` callback
          socket.disconnect();
        },
      };
    },
  };
}

/** Emits a client frame as the event of its type, the payload without `type`. */
function emitFrame(socket: GatewaySocket, frame: ClientFrame): void {
  switch (frame.type) {
    case "message.send": {
      const { type: _type, ...payload } = frame;
      return void socket.emit("message.send", payload);
    }
    case "read":
      return void socket.emit("read", { conversationId: frame.conversationId, seq: frame.seq });
    case "typing":
      return void socket.emit("typing", { conversationId: frame.conversationId });
    case "ping":
      return void socket.emit("ping", frame.t === undefined ? {} : { t: frame.t });
  }
}
