// Socket.IO handshake: the browser's Origin must be one of ALLOWED_ORIGINS (config.ts).
// CORS alone does not protect a WebSocket (browsers open cross-origin sockets without
// asking), so a page on another site could otherwise connect with a token it got hold of.
// No Origin header means a non-browser client (SDK on Node, a bot): allowed.
import type { ExtendedError } from "socket.io";
import type { GatewaySocket } from "./local-sockets.js";

/** Whether `origin` (an Origin header, absent for non-browser clients) may connect. */
export function isAllowedOrigin(origin: string | undefined, allowed: "*" | readonly string[]): boolean {
  if (origin === undefined || origin === "") return true;
  if (allowed === "*" || allowed.includes("*")) return true;
  return allowed.includes(origin.replace(/\/+$/, ""));
}

/** A Socket.IO middleware: a refused client sees `connect_error` with `data.code` = `forbidden_origin`. */
export function originCheck(allowed: "*" | readonly string[]) {
  return function checkOrigin(socket: GatewaySocket, next: (error?: ExtendedError) => void): void {
    const origin = socket.handshake.headers.origin;
    if (isAllowedOrigin(origin, allowed)) return next();
    const error: ExtendedError = new Error(`origin ${origin} is not allowed`);
    error.data = { code: "forbidden_origin" };
    next(error);
  };
}
