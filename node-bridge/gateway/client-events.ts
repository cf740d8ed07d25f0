// What a Socket.IO client may send: the edge's client frames (protocol/frames.ts), as
// events of the same name. Each is forwarded to the Worker's HTTP API with the user's
// own access token: the node holds connections, the Worker holds logic and storage, and
// its answer (the stored message, or an error) goes back through the ack callback.
import type { Logger } from "pino";
import {
  ClientFrame,
  ErrorBody,
  MessageResponse,
  ReadResponse,
  TokenRefreshFrame,
  type AckFrame,
  type ErrorFrame,
} from "../../protocol/index.js";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import type { WorkerClient } from "../edge-link/worker-client.js";
import { emitTyped, type GatewaySocket } from "./local-sockets.js";

type Ack = (answer: unknown) => void;
/** What a client event is answered with: a frame that has a `type`, or a plain result (ack only). */
type AnswerFrame = Parameters<typeof emitTyped>[1] | ReadResponse | { ok: true };

function errorFrame(code: string, message: string, clientMsgId?: string): ErrorFrame {
  return { type: "error", code, message, ...(clientMsgId ? { clientMsgId } : {}) };
}

/** An HTTP error answer from the Worker, as an error frame. */
function apiError(status: number, body: unknown, clientMsgId?: string): ErrorFrame {
  const parsed = ErrorBody.safeParse(body);
  return parsed.success
    ? errorFrame(parsed.data.error.code, parsed.data.error.message, clientMsgId)
    : errorFrame("internal", `the Worker answered ${status}`, clientMsgId);
}

export function registerClientEvents(socket: GatewaySocket, worker: WorkerClient, logger: Logger, authSecret: string): void {

  /** Answers through the ack callback if the client gave one, else as an event. */
  const answer = (ack: unknown, frame: AnswerFrame) => {
    if (typeof ack === "function") (ack as Ack)(frame);
    else if ("type" in frame) emitTyped(socket, frame);
  };

  /** Parses an event's payload as the client frame of that name; answers an error frame if it is not one. */
  const frameOf = <T extends ClientFrame["type"]>(type: T, payload: unknown, ack: unknown) => {
    const parsed = ClientFrame.safeParse({ ...(payload as object), type });
    if (parsed.success) return parsed.data as Extract<ClientFrame, { type: T }>;
    const clientMsgId = (payload as { clientMsgId?: unknown } | null)?.clientMsgId;
    answer(ack, errorFrame("invalid_frame", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), typeof clientMsgId === "string" ? clientMsgId : undefined));
    return undefined;
  };

  /**
   * This socket's `message.send` and `read` calls, one after another in the order they
   * arrived (as the edge handles a socket's frames): a device's messages are stored, and
   * get their seqs, in the order it sent them. Never rejects.
   */
  let inOrder: Promise<void> = Promise.resolve();

  /** Queues one forwarded call behind this socket's earlier ones; a network failure becomes an error frame, never a crash. */
  const forward = (ack: unknown, clientMsgId: string | undefined, call: () => Promise<AnswerFrame>) => {
    inOrder = inOrder.then(() =>
      call()
        .then((frame) => answer(ack, frame))
        .catch((error: unknown) => {
          logger.warn({ err: error, userId: socket.data.userId }, "call to the Worker failed");
          answer(ack, errorFrame("unavailable", "the server could not be reached; retry with the same clientMsgId", clientMsgId));
        }),
    );
  };

  socket.on("message.send", (payload: unknown, ack?: unknown) => {
    const frame = frameOf("message.send", payload, ack);
    if (!frame) return;
    const { type: _type, ...body } = frame;
    forward(ack, frame.clientMsgId, async () => {
      const result = await worker.callApi(socket.data.accessToken, "POST", "/api/messages", body);
      const stored = MessageResponse.safeParse(result.body);
      if (result.status >= 300 || !stored.success) return apiError(result.status, result.body, frame.clientMsgId);
      return { type: "message.ack", clientMsgId: frame.clientMsgId, message: stored.data.message } satisfies AckFrame;
    });
  });

  socket.on("read", (payload: unknown, ack?: unknown) => {
    const frame = frameOf("read", payload, ack);
    if (!frame) return;
    forward(ack, undefined, async () => {
      const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/read`;
      const result = await worker.callApi(socket.data.accessToken, "POST", path, { seq: frame.seq });
      // The ack carries the Worker's ReadResponse as is (no event is emitted without an ack).
      return result.status >= 300 ? apiError(result.status, result.body) : ReadResponse.parse(result.body);
    });
  });

  socket.on("typing", (payload: unknown, ack?: unknown) => {
    const frame = frameOf("typing", payload, ack);
    if (!frame) return;
    // Typing is best-effort: not queued behind the socket's sends, answered only through an ack.
    const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/typing`;
    const reply = (answer: object) => {
      if (typeof ack === "function") (ack as Ack)(answer);
    };
    worker
      .callApi(socket.data.accessToken, "POST", path)
      .then((result) => reply(result.status >= 300 ? apiError(result.status, result.body) : { ok: true }))
      .catch((error: unknown) => {
        logger.debug({ err: error }, "typing relay failed");
        reply(errorFrame("unavailable", "the server could not be reached"));
      });
  });

  // The handshake token expires (ACCESS_TOKEN_TTL_SECONDS); calls made with it then answer
  // token_expired. The client refreshes over HTTP and hands the new token over here.
  socket.on("token.refresh", async (payload: unknown, ack?: unknown) => {
    const parsed = TokenRefreshFrame.safeParse({ ...(payload as object), type: "token.refresh" });
    if (!parsed.success) return answer(ack, errorFrame("invalid_frame", "expected { accessToken }"));
    const verified = await verifyAccessToken(authSecret, parsed.data.accessToken);
    if (!verified.ok) {
      return answer(ack, errorFrame(verified.reason === "expired" ? "token_expired" : "unauthorized", "invalid access token"));
    }
    if (verified.userId !== socket.data.userId || verified.deviceId !== socket.data.deviceId) {
      return answer(ack, errorFrame("forbidden", "the token belongs to another user or device: reconnect with it instead"));
    }
    socket.data.accessToken = parsed.data.accessToken;
    answer(ack, { type: "token.refreshed", expiresAt: verified.expiresAt });
  });

  socket.on("ping", (payload: unknown, ack?: unknown) => {
    const t = (payload as { t?: unknown } | null)?.t;
    answer(ack, { type: "pong", ...(typeof t === "number" ? { t } : {}) });
  });
}
