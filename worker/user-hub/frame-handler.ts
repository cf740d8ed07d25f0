import {
  ClientFrame,
  FRAME_ERROR,
  MAX_FRAME_BYTES,
  type AckFrame,
  type ErrorFrame,
  type ServerFrame,
} from "../../protocol/index.js";
import { ApiError } from "../http/api-error.js";
import { retryAfterOf } from "../limits/rate-limited.js";
import { markRead } from "../messaging/mark-read.js";
import type { Actor, Runtime } from "../messaging/runtime.js";
import { sendMessage } from "../messaging/send-message.js";
import { relayTyping } from "../messaging/typing.js";

const encoder = new TextEncoder();

/**
 * Decides what one client frame does and what to answer (undefined: nothing). Never
 * throws: a bad frame or a refused action becomes an `error` frame and the socket stays
 * usable. An error answering a `message.send` carries its clientMsgId.
 */
export async function handleClientFrame(rt: Runtime, actor: Actor, data: string | ArrayBuffer): Promise<ServerFrame | undefined> {
  if (typeof data !== "string") return errorFrame(FRAME_ERROR.invalidFrame, "binary frames are not supported: send JSON text");
  if (data.length > MAX_FRAME_BYTES || encoder.encode(data).byteLength > MAX_FRAME_BYTES) {
    return errorFrame(FRAME_ERROR.frameTooLarge, `frames are limited to ${MAX_FRAME_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return errorFrame(FRAME_ERROR.invalidFrame, "frame is not valid JSON");
  }
  const parsed = ClientFrame.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return errorFrame(FRAME_ERROR.invalidFrame, `invalid frame: ${detail}`, clientMsgIdOf(raw));
  }
  const frame = parsed.data;
  try {
    switch (frame.type) {
      case "message.send": {
        const { type: _type, ...input } = frame;
        const { message } = await sendMessage(rt, actor, input);
        const ack: AckFrame = { type: "message.ack", clientMsgId: frame.clientMsgId, message };
        return ack;
      }
      case "read":
        await markRead(rt, actor, frame.conversationId, frame.seq);
        return undefined;
      case "typing":
        await relayTyping(rt, actor, frame.conversationId);
        return undefined;
      case "ping":
        return frame.t === undefined ? { type: "pong" } : { type: "pong", t: frame.t };
    }
  } catch (error) {
    const clientMsgId = frame.type === "message.send" ? frame.clientMsgId : undefined;
    if (error instanceof ApiError) {
      const frame = errorFrame(error.code, error.message, clientMsgId);
      const retryAfter = retryAfterOf(error);
      return retryAfter === undefined ? frame : { ...frame, retryAfter };
    }
    console.error(`frame ${frame.type} from ${actor.userId}/${actor.deviceId} failed`, error);
    return errorFrame("internal", "internal error", clientMsgId);
  }
}

function errorFrame(code: string, message: string, clientMsgId?: string): ErrorFrame {
  return clientMsgId === undefined ? { type: "error", code, message } : { type: "error", code, message, clientMsgId };
}

/** The answer to a frame refused by LIMIT_FRAMES (not handled at all); a send's clientMsgId is kept. */
export function rateLimitedFrame(data: string | ArrayBuffer, retryAfter: number): ErrorFrame {
  let raw: unknown;
  try {
    raw = typeof data === "string" && data.length <= MAX_FRAME_BYTES ? JSON.parse(data) : undefined;
  } catch {
    raw = undefined;
  }
  return { ...errorFrame("rate_limited", `too many frames on this socket; try again in ${retryAfter} s`, clientMsgIdOf(raw)), retryAfter };
}

/** A malformed send still names its clientMsgId when it has a usable one, so the client can match the error. */
function clientMsgIdOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const id = (raw as { clientMsgId?: unknown }).clientMsgId;
  return typeof id === "string" && id.length > 0 && id.length <= 64 ? id : undefined;
}
