// Abuse limits of a node's Socket.IO sockets (config.ts: LIMIT_FRAMES, MAX_SOCKETS_PER_USER,
// MAX_SOCKETS_PER_DEVICE; docs/API.md "Limits"), each counted by this node for its own sockets.
import type { FrameRate } from "./frame-limit.js";
import type { SocketCaps } from "./socket-caps.js";

export interface GatewayLimits extends SocketCaps {
  frames: FrameRate;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = { frames: { count: 120, windowSeconds: 10 }, perUser: 10, perDevice: 2 };
