// The one wire contract of edge-im: HTTP bodies, WebSocket frames, Socket.IO events,
// bridge envelopes. Imported by the Worker, the bridge, the client SDK and the tests.
// It must stay runtime-neutral (no Workers-only or Node-only imports) and free of
// server-side crypto: token signing and HMAC live in server-auth/, so a client bundle
// that imports this contract stays small.
export * from "./errors.js";
export * from "./common.js";
export * from "./users.js";
export * from "./auth.js";
export * from "./friends.js";
export * from "./blocks.js";
export * from "./groups.js";
export * from "./messages.js";
export * from "./conversations.js";
export * from "./files.js";
export * from "./events.js";
export * from "./frames.js";
export * from "./bridge.js";
export * from "./socket-io.js";
export * from "./client-config.js";
export * from "./health.js";
export * from "./notices.js";
export * from "./admin.js";
