import type { ClientFrame } from "../../protocol/index.js";

/**
 * Why a connection ended:
 * - `replaced`: a newer connection of this device took over (edge close code 4001): stay closed;
 * - `ended`: the session ended on the server (`session.ended`, edge close code 4003: logout,
 *   a newer login on this device, ended from another device): sign out, never reconnect;
 * - `auth`: the handshake was refused for the token: refresh it, then reconnect;
 * - `refused`: the gateway will not take this client at all (its page's Origin is not allowed):
 *   retrying cannot help, so stay closed and say why;
 * - `lost`: anything else (network, server restart, no `ready` in time): reconnect with backoff.
 */
export type Disconnect =
  | { reason: "replaced" }
  | { reason: "ended" }
  | { reason: "auth"; code: "token_expired" | "unauthorized" }
  | { reason: "refused"; detail: string }
  | { reason: "lost"; detail: string };

export interface ConnectionHandlers {
  /** A decoded frame (JSON object, `type` set), not yet checked against the contract. */
  frame(frame: unknown): void;
  /** Called once, when the connection is over. */
  closed(disconnect: Disconnect): void;
}

/** One open (or opening) socket. */
export interface Connection {
  /** Hands a frame to the socket; false when it is not open (the caller keeps it for later). */
  send(frame: ClientFrame): boolean;
  /** Socket.IO only: give the gateway a refreshed access token without reconnecting. */
  handOverToken?(accessToken: string): Promise<void>;
  close(): void;
}

/**
 * The one seam between the SDK and a wire: the edge WebSocket and Socket.IO both speak
 * the frames of protocol/frames.ts, so everything above this (sync, resend, reconnect)
 * is written once. A transport never reconnects by itself; the ConnectionLoop does.
 */
export interface Transport {
  open(accessToken: string, handlers: ConnectionHandlers): Connection | Promise<Connection>;
}
