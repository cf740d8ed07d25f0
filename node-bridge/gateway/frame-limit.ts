// LIMIT_FRAMES on a Socket.IO node: every client event of one socket draws from that
// socket's token bucket (a burst of `count`, refilled at `count` per window). A refused
// event is not handled: it is answered with an error frame `rate_limited` + `retryAfter`,
// through its ack when it has one (client-events.ts). Per socket and in memory: the socket
// lives on this node. Refilled lazily when a token is taken: no timer per socket.
import type { ErrorFrame } from "../../protocol/index.js";

export interface FrameRate {
  count: number;
  windowSeconds: number;
}

/** One socket's bucket: two numbers, created full. */
export class FrameBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: FrameRate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.count;
    this.at = now();
  }

  /** Takes a token: the seconds until the next one, or 0 when one was taken. */
  take(): number {
    const perMs = this.rate.count / (this.rate.windowSeconds * 1000);
    const t = this.now();
    this.tokens = Math.min(this.rate.count, this.tokens + (t - this.at) * perMs);
    this.at = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / perMs / 1000));
  }
}

/** The answer to a refused event (`payload`: the event's first argument, for its clientMsgId). */
export function rateLimitedFrame(retryAfter: number, payload: unknown): ErrorFrame {
  const clientMsgId = (payload as { clientMsgId?: unknown } | null)?.clientMsgId;
  return {
    type: "error",
    code: "rate_limited",
    message: `too many frames on this socket; try again in ${retryAfter} s`,
    retryAfter,
    ...(typeof clientMsgId === "string" ? { clientMsgId } : {}),
  };
}
