import { z } from "zod";
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
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server -> client ----
export const AckFrame = z.object({ type: z.literal("message.ack"), clientMsgId: z.string(), message: Message });
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
  /** Set when the error answers a `message.send`. */
  clientMsgId: z.string().optional(),
});
export const PongFrame = z.object({ type: z.literal("pong"), t: z.number().optional() });
/** First frame on a new socket. */
export const ReadyFrame = z.object({ type: z.literal("ready"), userId: z.string(), deviceId: z.string() });

export const ServerFrame = z.union([ServerEvent, AckFrame, ErrorFrame, PongFrame, ReadyFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
