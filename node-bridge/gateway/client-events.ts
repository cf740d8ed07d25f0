// What a Socket.IO client may send: the edge's client frames (protocol/frames.ts), as
// events of the same name. Each is forwarded to the Worker's HTTP API with the user's
// own access token: the node holds connections, the Worker holds logic and storage, and
// its answer (the stored message, or an error) goes back through the ack callback.
//
// Most sockets sit idle, so what each one costs matters more than what an event costs: the
// handlers are built once per node and shared, and a socket holds one listener (onAny,
// which sees every client event, with its ack last) and a small state object whose frame
// bucket and call queue exist only while it uses them. A listener per event, with its
// closures, cost a few KB per socket.
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
import { FrameBucket, rateLimitedFrame, type FrameRate } from "./frame-limit.js";
import { emitTyped, type GatewaySocket } from "./local-sockets.js";

type Ack = (answer: unknown) => void;
/** What a client event is answered with: a frame that has a `type`, or a plain result (ack only). */
type AnswerFrame = Parameters<typeof emitTyped>[1] | ReadResponse | { ok: true };

export interface ClientEventDeps {
  worker: WorkerClient;
  logger: Logger;
  authSecret: string;
  /** LIMIT_FRAMES: every client event of a socket, known or not, draws from its bucket. */
  frames: FrameRate;
}

/** One socket's state between its events. */
interface SocketState {
  /** Its LIMIT_FRAMES bucket, from its first event (a full bucket until then). */
  frames: FrameBucket | undefined;
  /**
   * The tail of its `message.send` and `read` calls, run one after another in the order
   * they arrived (as the edge handles a socket's frames): a device's messages are stored,
   * and get their seqs, in the order it sent them. Never rejects; unset when none is queued.
   */
  calls: Promise<void> | undefined;
}

/** A handler of one client event: the payload is the first argument the client sent. */
type Handler = (socket: GatewaySocket, state: SocketState, payload: unknown, ack: Ack | undefined) => void;

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

/** Answers through the ack callback if the client gave one, else as an event. */
function answer(socket: GatewaySocket, ack: Ack | undefined, frame: AnswerFrame): void {
  if (ack) ack(frame);
  else if ("type" in frame) emitTyped(socket, frame);
}

/** Parses an event's payload as the client frame of that name; answers an error frame if it is not one. */
function frameOf<T extends ClientFrame["type"]>(socket: GatewaySocket, type: T, payload: unknown, ack: Ack | undefined) {
  const parsed = ClientFrame.safeParse({ ...(payload as object), type });
  if (parsed.success) return parsed.data as Extract<ClientFrame, { type: T }>;
  const clientMsgId = (payload as { clientMsgId?: unknown } | null)?.clientMsgId;
  answer(socket, ack, errorFrame("invalid_frame", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), typeof clientMsgId === "string" ? clientMsgId : undefined));
  return undefined;
}

/** The client events, handled for every socket of a node: `listen(socket)` on connect. */
export function clientEvents({ worker, logger, authSecret, frames }: ClientEventDeps): (socket: GatewaySocket) => void {
  /** Queues one forwarded call behind this socket's earlier ones; a network failure becomes an error frame, never a crash. */
  const forward = (socket: GatewaySocket, state: SocketState, ack: Ack | undefined, clientMsgId: string | undefined, call: () => Promise<AnswerFrame>) => {
    const queued: Promise<void> = (state.calls ?? Promise.resolve())
      .then(() =>
        call()
          .then((frame) => answer(socket, ack, frame))
          .catch((error: unknown) => {
            logger.warn({ err: error, userId: socket.data.userId }, "call to the Worker failed");
            answer(socket, ack, errorFrame("unavailable", "the server could not be reached; retry with the same clientMsgId", clientMsgId));
          }),
      )
      // The last one out lets go of the chain: an idle socket holds no promise.
      .finally(() => {
        if (state.calls === queued) state.calls = undefined;
      });
    state.calls = queued;
  };

  const handlers: Record<keyof ClientToServerEvents, Handler> = {
    "message.send": (socket, state, payload, ack) => {
      const frame = frameOf(socket, "message.send", payload, ack);
      if (!frame) return;
      const { type: _type, ...body } = frame;
      forward(socket, state, ack, frame.clientMsgId, async () => {
        const result = await worker.callApi(socket.data.accessToken, "POST", "/api/messages", body);
        const stored = MessageResponse.safeParse(result.body);
        if (result.status >= 300 || !stored.success) return apiError(result, frame.clientMsgId);
        return { type: "message.ack", clientMsgId: frame.clientMsgId, message: stored.data.message } satisfies AckFrame;
      });
    },

    read: (socket, state, payload, ack) => {
      const frame = frameOf(socket, "read", payload, ack);
      if (!frame) return;
      forward(socket, state, ack, undefined, async () => {
        const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/read`;
        const result = await worker.callApi(socket.data.accessToken, "POST", path, { seq: frame.seq });
        // The ack carries the Worker's ReadResponse as is (no event is emitted without an ack).
        return result.status >= 300 ? apiError(result) : ReadResponse.parse(result.body);
      });
    },

    typing: (socket, _state, payload, ack) => {
      const frame = frameOf(socket, "typing", payload, ack);
      if (!frame) return;
      // Typing is best-effort: not queued behind the socket's sends, answered only through an ack.
      const path = `/api/conversations/${encodeURIComponent(frame.conversationId)}/typing`;
      worker
        .callApi(socket.data.accessToken, "POST", path)
        .then((result) => ack?.(result.status >= 300 ? apiError(result) : { ok: true }))
        .catch((error: unknown) => {
          logger.debug({ err: error }, "typing relay failed");
          ack?.(errorFrame("unavailable", "the server could not be reached"));
        });
    },

    // The handshake token expires (ACCESS_TOKEN_TTL_SECONDS); calls made with it then answer
    // token_expired. The client refreshes over HTTP and hands the new token over here.
    "token.refresh": async (socket, _state, payload, ack) => {
      const parsed = TokenRefreshFrame.safeParse({ ...(payload as object), type: "token.refresh" });
      if (!parsed.success) return answer(socket, ack, errorFrame("invalid_frame", "expected { accessToken }"));
      const verified = await verifyAccessToken(authSecret, parsed.data.accessToken);
      if (!verified.ok) {
        return answer(socket, ack, errorFrame(verified.reason === "expired" ? "token_expired" : "unauthorized", "invalid access token"));
      }
      if (verified.userId !== socket.data.userId || verified.deviceId !== socket.data.deviceId) {
        return answer(socket, ack, errorFrame("forbidden", "the token belongs to another user or device: reconnect with it instead"));
      }
      socket.data.accessToken = parsed.data.accessToken;
      socket.data.sessionId = verified.sessionId;
      answer(socket, ack, { type: "token.refreshed", expiresAt: verified.expiresAt });
    },

    ping: (socket, _state, payload, ack) => {
      const t = (payload as { t?: unknown } | null)?.t;
      answer(socket, ack, { type: "pong", ...(typeof t === "number" ? { t } : {}) });
    },
  };

  /**
   * One client event. socket.io passes the ack callback as the LAST argument, after however
   * many the client sent: the payload is the first argument, the ack a trailing function, so
   * extra arguments cannot push the ack out of place and leave a call unanswered.
   */
  const receive = (socket: GatewaySocket, state: SocketState, event: unknown, args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? (last as Ack) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    // Every event draws a token, a name we do not handle too; a refused one is not handled.
    const retryAfter = (state.frames ??= new FrameBucket(frames)).take();
    if (retryAfter > 0) return answer(socket, ack, rateLimitedFrame(retryAfter, payload));
    // Own properties only: a client's event name is never looked up on Object.prototype.
    const handler = typeof event === "string" && Object.hasOwn(handlers, event) ? handlers[event as keyof ClientToServerEvents] : undefined;
    handler?.(socket, state, payload, ack);
  };

  return (socket) => {
    const state: SocketState = { frames: undefined, calls: undefined };
    socket.onAny((event: unknown, ...args: unknown[]) => receive(socket, state, event, args));
  };
}
