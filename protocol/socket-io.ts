// The Socket.IO face of the client contract, derived from the edge frames: event name =
// frame `type`, payload = the frame (its `type` may be omitted), answers through the ack
// callback. Typed maps for socket.io (the bridge) and socket.io-client (the SDK), so
// neither side falls back to DefaultEventsMap and nothing re-declares a shape.
import type { ReadResponse } from "./conversations.js";
import type { ServerEvent } from "./events.js";
import type { AckFrame, ClientFrame, ErrorFrame, PongFrame, ReadyFrame, TokenRefreshedFrame, TokenRefreshFrame } from "./frames.js";
import type { z } from "zod";

type Payload<T extends { type: string }> = Omit<T, "type"> & { type?: T["type"] };
type ClientFrameOf<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;
/** The union of `message.send` frames, each variant without its required `type`. */
type SendPayload = ClientFrameOf<"message.send"> extends infer F ? (F extends { type: string } ? Payload<F> : never) : never;

/** Events a gateway node emits to a client: every push, plus the answers emitted without an ack. */
export type ServerToClientEvents = {
  [E in ServerEvent as E["type"]]: (event: E) => void;
} & {
  ready: (frame: z.infer<typeof ReadyFrame>) => void;
  "message.ack": (frame: AckFrame) => void;
  error: (frame: ErrorFrame) => void;
  pong: (frame: z.infer<typeof PongFrame>) => void;
  "token.refreshed": (frame: z.infer<typeof TokenRefreshedFrame>) => void;
};

/** Events a client emits to a gateway node, each with the answer its ack callback receives. */
export type ClientToServerEvents = {
  "message.send": (payload: SendPayload, ack?: (answer: AckFrame | ErrorFrame) => void) => void;
  read: (payload: Payload<ClientFrameOf<"read">>, ack?: (answer: ReadResponse | ErrorFrame) => void) => void;
  typing: (payload: Payload<ClientFrameOf<"typing">>, ack?: (answer: { ok: true } | ErrorFrame) => void) => void;
  ping: (payload: Payload<ClientFrameOf<"ping">>, ack?: (answer: z.infer<typeof PongFrame>) => void) => void;
  "token.refresh": (
    payload: Payload<z.infer<typeof TokenRefreshFrame>>,
    ack?: (answer: z.infer<typeof TokenRefreshedFrame> | ErrorFrame) => void,
  ) => void;
};
