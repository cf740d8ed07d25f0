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
  type ClientToServerEvents,
  type ErrorFrame,
} from "../../protocol/index.js";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import type { ApiResult, WorkerClient } from "../edge-link/worker-client.js";
import { emitTyped, type GatewaySocket } from "./local-sockets.js";

type Ack = (answer: unknown) => void;
/** What a client event is answered with: a frame that has a `type`, or a plain result (ack only). */
type AnswerFrame = Parameters<typeof emitTyped>[1] | ReadResponse | { ok: true };

function errorFrame(code: string, message: string, clientMsgId?: string): ErrorFrame {
  return { type: "error", code, message, ...(clientMsgId ? { clientMsgId } : {}) };
}

/** An HTTP error answer from the Worker, as an error frame (a 429's Retry-After becomes `retryAfter`). */
function apiError({ status, body, retryAfter }: ApiResult, clientMsgId?: string): ErrorFrame {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return errorFrame("internal", `the Worker answered ${status}`, clientMsgId);
  const frame = errorFrame(parsed.data.error.code, parsed.data.error.message, clientMsgId);
  return retryAfter === undefined ? frame : { ...frame, retryAfter };
}

export function registerClientEvents(socket: GatewaySocket, worker: WorkerClient, logger: Logger, authSecret: string): void {

  /**
   * Listens to a client event. socket.io passes the ack callback as the LAST argument, after
   * however many the client sent: the payload is the first argument, the ack a trailing
   * function, so extra arguments cannot push the ack out of place and leave a call unanswered.
   */
  const on = (event: keyof ClientToServerEvents, handler: (payload: unknown, ack: Ack | undefined) => void) => {
    socket.on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === "function" ? (last as Ack) : undefined;
      handler(ack && args.length === 1 ? undefined : args[0], ack);
    });
  };

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

  on("message.send", (payload, ack) => {
    const frame = frameOf("message.send", payload, ack);
    if (!frame) return;
    const { type: _type, ...body } = frame;
    forward(ack, frame.clientMsgId, async () => {
      const result = await worker.callApi(socket.data.accessToken, "POST", "/api/messages", body);
      const stored = MessageResponse.safeParse(result.body);
      if (result.status >= 300 || !stored.success) return apiError(result, frame.clientMsgId);
      return { type: "message.ack", clientMsgId: frame.clientMsgId, message: stored.data.message } satisfies AckFrame;
    });
  });

  on("read", (payload, ack) => {
    const frame = frameOf("read", payload, ack);
    if (!frame) return;
    forward(ack, undefined, async () => {
      const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/read`;
      const result = await worker.callApi(socket.data.accessToken, "POST", path, { seq: frame.seq });
      // The ack carries the Worker's ReadResponse as is (no event is emitted without an ack).
      return result.status >= 300 ? apiError(result) : ReadResponse.parse(result.body);
    });
  });

  on("typing", (payload, ack) => {
    const frame = frameOf("typing", payload, ack);
    if (!frame) return;
    // Typing is best-effort: not queued behind the socket's sends, answered only through an ack.
    const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/typing`;
    const reply = (answer: object) => {
      if (typeof ack === "function") (ack as Ack)(answer);
    };
    worker
      .callApi(socket.data.accessToken, "POST", path)
      .then((result) => reply(result.status >= 300 ? apiError(result) : { ok: true }))
      .catch((error: unknown) => {
        logger.debug({ err: error }, "typing relay failed");
        reply(errorFrame("unavailable", "the server could not be reached"));
      });
  });

  // The handshake token expires (ACCESS_TOKEN_TTL_SECONDS); calls made with it then answer
  // token_expired. The client refreshes over HTTP and hands the new token over here.
  on("token.refresh", async (payload, ack) => {
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
    socket.data.sessionId = verified.sessionId;
    answer(ack, { type: "token.refreshed", expiresAt: verified.expiresAt });
  });

  on("ping", (payload, ack) => {
    const t = (payload as { t?: unknown } | null)?.t;
    answer(ack, { type: "pong", ...(typeof t === "number" ? { t } : {}) });
  });
}
