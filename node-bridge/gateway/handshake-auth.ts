// Socket.IO handshake: the same access token as the edge (JWT, HS256, AUTH_SECRET),
// verified locally, so a bad token never gets a socket. The token may come as
// `auth: { token }` (socket.io-client), `?token=` or `Authorization: Bearer`.
import type { ExtendedError } from "socket.io";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import type { GatewaySocket } from "./local-sockets.js";

function tokenOf(socket: GatewaySocket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === "string") return auth.token;
  const query = socket.handshake.query["token"];
  if (typeof query === "string") return query;
  const header = socket.handshake.headers.authorization;
  return header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}

/** A Socket.IO middleware: the client sees `connect_error` with `data.code` on refusal. */
export function handshakeAuth(authSecret: string) {
  return async function authenticate(socket: GatewaySocket, next: (error?: ExtendedError) => void): Promise<void> {
    const token = tokenOf(socket);
    const verified = token ? await verifyAccessToken(authSecret, token) : undefined;
    if (!token || !verified?.ok) {
      const code = verified && !verified.ok && verified.reason === "expired" ? "token_expired" : "unauthorized";
      const error: ExtendedError = new Error(code === "token_expired" ? "access token expired" : "invalid access token");
      error.data = { code };
      next(error);
      return;
    }
    socket.data = { userId: verified.userId, deviceId: verified.deviceId, sessionId: verified.sessionId, accessToken: token };
    next();
  };
}
