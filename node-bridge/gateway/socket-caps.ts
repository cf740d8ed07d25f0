// MAX_SOCKETS_PER_USER and MAX_SOCKETS_PER_DEVICE, counted on this node only (a user on
// several nodes has a cap on each; the edge caps its own sockets in the user's Durable
// Object). Checked at the handshake: the client sees `connect_error` with
// data.code "rate_limited". Handshakes that race each other may pass together.
import type { ExtendedError } from "socket.io";
import type { GatewaySocket, LocalSockets } from "./local-sockets.js";

export interface SocketCaps {
  perUser: number;
  perDevice: number;
}

export function socketCaps(sockets: LocalSockets, caps: SocketCaps) {
  return function capSockets(socket: GatewaySocket, next: (error?: ExtendedError) => void): void {
    const { userId, deviceId } = socket.data;
    const refuse = (message: string) => {
      const error: ExtendedError = new Error(message);
      error.data = { code: "rate_limited" };
      next(error);
    };
    if (sockets.countOf(userId, deviceId) >= caps.perDevice) return refuse(`at most ${caps.perDevice} sockets per device on this node`);
    if (sockets.countOf(userId) >= caps.perUser) return refuse(`at most ${caps.perUser} sockets per user on this node`);
    next();
  };
}
