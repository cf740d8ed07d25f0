// The baseline for bench/adapter: what users would otherwise pick, a plain Socket.IO
// cluster on @socket.io/redis-adapter. One process per node. Each socket joins its user's
// room (`user:<id>`); POST /emit (signed like edge-im's POST /internal/deliver, with the
// same HMAC code, so that injection costs both the same) does `io.to(room).emit(type, event)`,
// and the adapter publishes it on Redis pub/sub to every node, which delivers to its members.
// Prints one JSON line `{"ready":true,"socketUrl","internalUrl"}` when listening.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { verifyAccessToken } from "../../server-auth/access-token.js";
import { NodeCallSigner } from "../../node-bridge/edge-link/node-call-signer.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../server-auth/signing.js";

const { REDIS_URL, AUTH_SECRET, BRIDGE_SECRET, ADAPTER_KEY } = process.env;
if (!REDIS_URL || !AUTH_SECRET || !BRIDGE_SECRET || !ADAPTER_KEY) {
  console.error("baseline-node: REDIS_URL, AUTH_SECRET, BRIDGE_SECRET and ADAPTER_KEY are required");
  process.exit(2);
}

const pub = new Redis(REDIS_URL);
const sub = pub.duplicate();
const httpServer = createServer();
const io = new Server(httpServer, { adapter: createAdapter(pub, sub, { key: ADAPTER_KEY }), transports: ["websocket"] });

// Handshake: the same access token check as the bridge (verified locally, once per socket).
io.use((socket, next) => {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof token !== "string") return next(new Error("no token"));
  verifyAccessToken(AUTH_SECRET, token).then(
    (verified) => {
      if (!verified.ok) return next(new Error("bad token"));
      socket.data.userId = verified.userId;
      next();
    },
    (error: unknown) => next(error as Error),
  );
});
io.on("connection", (socket) => {
  void socket.join(`user:${socket.data.userId as string}`);
  socket.emit("ready", { type: "ready", userId: socket.data.userId as string });
});

const PATH = "/emit";
// The bridge's verifier (node:crypto, key imported once): both systems pay the same per call.
const signer = new NodeCallSigner(BRIDGE_SECRET);
const internal = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== PATH) return void response.writeHead(404).end();
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const raw = Buffer.concat(chunks);
    const header = (name: string) => request.headers[name.toLowerCase()] as string | undefined;
    if (!signer.verify({ direction: "worker->bridge", method: "POST", path: PATH, body: raw }, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER))) {
      return void response.writeHead(401).end();
    }
    const { event, userIds } = JSON.parse(raw.toString("utf8")) as { event: { type: string }; userIds: string[] };
    io.to(userIds.map((id) => `user:${id}`)).emit(event.type, event);
    response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
  });
});

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

Promise.all([listen(httpServer), listen(internal)]).then(([socketUrl, internalUrl]) => {
  process.stdout.write(`${JSON.stringify({ ready: true, socketUrl, internalUrl })}\n`);
});
process.on("SIGTERM", () => {
  void io.close();
  internal.close();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
});
