// LIMIT_FRAMES on a Socket.IO node: every client event of one socket draws from that
// socket's token bucket (a burst of `count`, refilled at `count` per window). A refused
// event is not handled: it is answered with an error frame `rate_limited` + `retryAfter`,
// through its ack when it has one. Per socket and in memory: the socket lives on this node.
import type { ErrorFrame } from "../../protocol/index.js";
import { emitTyped, type GatewaySocket } from "./local-sockets.js";

export interface FrameRate {
  count: number;
  windowSeconds: number;
}

/** The seconds until the next token, or 0 when one was taken. */
export function frameBucket(rate: FrameRate, now: () => number = Date.now): () => number {
  const perMs = rate.count / (rate.windowSeconds * 1000);
  let tokens = rate.count;
  let at = now();
  return () => {
    const t = now();
    tokens = Math.min(rate.count, tokens + (t - at) * perMs);
    at = t;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
  };
}

export function limitFrames(socket: GatewaySocket, rate: FrameRate): void {
  const take = frameBucket(rate);
  socket.use((packet, next) => {
    const retryAfter = take();
    if (retryAfter === 0) return next();
    const [, payload] = packet;
    const last = packet[packet.length - 1];
    const clientMsgId = (payload as { clientMsgId?: unknown } | null)?.clientMsgId;
    const frame: ErrorFrame = {
      type: "error",
      code: "rate_limited",
      message: `too many frames on this socket; try again in ${retryAfter} s`,
      retryAfter,
      ...(typeof clientMsgId === "string" ? { clientMsgId } : {}),
    };
    if (typeof last === "function") (last as (answer: unknown) => void)(frame);
    else emitTyped(socket, frame);
  });
}
