import * as z from "zod";
import { ConversationId } from "./conversations.js";
import { ServerEvent } from "./events.js";
import { Message, sendSchema } from "./messages.js";

// ---- client -> server (edge WebSocket frames; Socket.IO events of the same name) ----
export const ClientFrame = z.discriminatedUnion("type", [
  /** Same body as POST /api/messages. Answered by `message.ack` or `error` with the clientMsgId. */
  sendSchema({ type: z.literal("message.send") }),
  z.object({ type: z.literal("read"), conversationId: ConversationId, seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal("typing"), conversationId: ConversationId }),
  z.object({ type: z.literal("ping"), t: z.number().optional() }),
]);

/**
 * The edge's heartbeat, byte for byte: the Durable Object's runtime answers exactly this
 * text with EDGE_PONG itself (setWebSocketAutoResponse), without waking the object, so an
 * idle socket that pings costs nothing. Any other `ping` (with `t`, other spacing) is
 * handled by the object and answered with `t` echoed.
 */
export const EDGE_PING = '{"type":"ping"}';
export const EDGE_PONG = '{"type":"pong"}';
export type ClientFrame = z.infer<typeof ClientFrame>;

/**
 * Socket.IO only: hand the gateway a fresh access token (same user, same device) so the
 * socket keeps acting for the user past its handshake token's expiry. Answered by
 * `token.refreshed` or an error frame. The edge needs none: its Durable Object checks the
 * token once, at the upgrade, and acts on the socket's identity from then on.
 */
export const TokenRefreshFrame = z.object({ type: z.literal("token.refresh"), accessToken: z.string().min(1).max(4096) });
export const TokenRefreshedFrame = z.object({ type: z.literal("token.refreshed"), expiresAt: z.number() });

// ---- server -> client ----
/** Error frame codes of the socket itself; a rejected send carries an API error code instead. */
export const FRAME_ERROR = {
  /** Not JSON, not an object, or not one of ClientFrame's shapes. The socket stays open. */
  invalidFrame: "invalid_frame",
  /** A frame larger than MAX_FRAME_BYTES. */
  frameTooLarge: "payload_too_large",
} as const;
/** Largest client frame, in bytes of UTF-8 (the same bound as a JSON request body). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Close codes the edge sends (4000-4999 are for applications). */
export const CLOSE_CODES = {
  /** A newer socket for the same device replaced this one: do not reconnect automatically. */
  replaced: 4001,
  /** This device's session ended (a `session.ended` frame says why, first): sign out, do not reconnect. */
  sessionEnded: 4003,
  /** The user already has MAX_SOCKETS_PER_USER devices connected (an error frame `rate_limited` says so first). */
  tooManySockets: 4029,
} as const;

export const AckFrame = z.object({ type: z.literal("message.ack"), clientMsgId: z.string(), message: Message });
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
  /** Set when the error answers a `message.send`. */
  clientMsgId: z.string().optional(),
  /** With `rate_limited`: seconds to wait before trying again (HTTP's Retry-After). */
  retryAfter: z.number().int().nonnegative().optional(),
});
export const PongFrame = z.object({ type: z.literal("pong"), t: z.number().optional() });
/** First frame on a new socket. */
export const ReadyFrame = z.object({ type: z.literal("ready"), userId: z.string(), deviceId: z.string() });

export const ServerFrame = z.union([ServerEvent, AckFrame, ErrorFrame, PongFrame, ReadyFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
