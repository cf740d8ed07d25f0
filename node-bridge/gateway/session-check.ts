// The handshake token verified locally may belong to a session that has ended (logout, a
// newer login on the device, ended from another device): the node asks the Worker, which
// holds the live sessions, before the socket gets `ready`. Sessions that end later are
// closed by the Worker's `POST /internal/session-ended` (edge-link/internal-server.ts).
import type { Logger } from "pino";
import type { ExtendedError } from "socket.io";
import { ErrorBody } from "../../protocol/index.js";
import type { WorkerClient } from "../edge-link/worker-client.js";
import type { GatewaySocket } from "./local-sockets.js";

/** A Socket.IO middleware, after handshakeAuth: `connect_error` with `data.code` = `unauthorized` for an ended session. */
export function sessionCheck(worker: WorkerClient, logger: Logger) {
  return async function checkSession(socket: GatewaySocket, next: (error?: ExtendedError) => void): Promise<void> {
    try {
      // Any authenticated route checks the session; GET /api/me is the cheapest.
      const result = await worker.callApi(socket.data.accessToken, "GET", "/api/me");
      if (result.status === 401) {
        const parsed = ErrorBody.safeParse(result.body);
        const error: ExtendedError = new Error(parsed.success ? parsed.data.error.message : "session ended");
        error.data = { code: parsed.success && parsed.data.error.code === "token_expired" ? "token_expired" : "unauthorized" };
        return next(error);
      }
    } catch (error) {
      // The Worker is unreachable: its forwarded calls fail too, so the socket can do no
      // harm; refusing would only turn a Worker outage into a gateway outage.
      logger.warn({ err: error, userId: socket.data.userId }, "could not check the session with the Worker; accepting the socket");
    }
    next();
  };
}
