// Abuse limits through a Socket.IO node (docs/API.md "Limits"): the node's own per-socket
// frame limit and socket caps (node-bridge/gateway/frame-limit.ts, socket-caps.ts), and the
// Worker's per-user send limit, which counts Socket.IO sends (forwarded over HTTP) and HTTP
// sends in the same bucket, its Retry-After passed on as the error frame's `retryAfter`.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { io } from "socket.io-client";
import { ApiError } from "../../client/index.js";
import type { ErrorFrame } from "../../protocol/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, loginDevice, registerUser } from "./support/api.js";
import { ackingSocket, connectCore, type DeviceClient } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";

/** A handshake's outcome: "ready", or the connect_error's data.code. */
function handshake(url: string, token: string): Promise<{ outcome: string; close(): void }> {
  const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  const close = () => void socket.disconnect();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no handshake outcome")), 10_000);
    socket.once("ready", () => (clearTimeout(timer), resolve({ outcome: "ready", close })));
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      resolve({ outcome: String((error as Error & { data?: { code?: unknown } }).data?.code), close });
    });
  });
}

describe.skipIf(inject("servicesMissing"))("abuse limits through a Socket.IO node", () => {
  const pool = new NodePool();
  const closers: Array<{ close(): void }> = [];
  let roomy: BridgeNode;
  let strict: BridgeNode;

  beforeAll(async () => {
    roomy = await pool.start("limits-default");
    strict = await pool.start("limits-strict", { limits: { frames: { count: 20, windowSeconds: 60 }, perUser: 3, perDevice: 1 } });
  });
  afterAll(async () => {
    for (const c of closers) c.close();
    await pool.stopAll();
  });

  it("message sends: Socket.IO and HTTP share the user's LIMIT_MESSAGES; refusals carry retryAfter, the SDK's ApiError too", async () => {
    const [ann, ben] = [await registerUser("limann"), await registerUser("limben")];
    await befriend(ann, ben);
    const device: DeviceClient = await connectCore(roomy.socketUrl, ann.token);
    closers.push(device);
    const overHttp = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          ann.api.messages.send({ to: { userId: ben.id }, kind: "text", body: { text: `h${i}` } }).then(() => "stored", (e: unknown) => e),
        ),
      );
    // HTTP empties the bucket (a burst of 60)...
    const first = await overHttp(80);
    expect(first.filter((r) => r === "stored").length).toBeGreaterThanOrEqual(60);
    // ...so sends over the Socket.IO node (forwarded to the same Worker route) are refused.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => device.sendMessage({ to: { userId: ben.id }, clientMsgId: `lim-${i}`, kind: "text", body: { text: `m${i}` } }, 20_000)),
    );
    const refusals = answers.filter((a): a is ErrorFrame => a.type === "error");
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ code: "rate_limited" });
      expect(refusal.retryAfter).toBeGreaterThanOrEqual(1);
      const error = ApiError.fromFrame(refusal);
      expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfter: refusal.retryAfter });
      expect(error.isTransient).toBe(true);
    }
    // HTTP refusals are ApiErrors with the Retry-After as retryAfter.
    const refusedOverHttp = first.filter((r): r is ApiError => r instanceof ApiError);
    expect(refusedOverHttp.length).toBeGreaterThan(0);
    for (const error of refusedOverHttp) {
      expect(error).toMatchObject({ code: "rate_limited", status: 429 });
      expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    }
  });

  it("frames per socket (LIMIT_FRAMES on the node): past the burst an event is refused through its ack", async () => {
    const cid = await registerUser("limcid");
    const socket = await ackingSocket(strict.socketUrl, cid.token);
    closers.push({ close: () => socket.disconnect() });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, t) => socket.timeout(10_000).emitWithAck("ping", { t })));
    const pongs = answers.filter((a: { type: string }) => a.type === "pong");
    const refused = answers.filter((a: { type: string }) => a.type === "error");
    expect(pongs).toHaveLength(20);
    expect(refused).toHaveLength(10);
    for (const frame of refused) expect(frame).toMatchObject({ code: "rate_limited", retryAfter: expect.any(Number) });
  });

  it("sockets per device and per user on one node (MAX_SOCKETS_PER_DEVICE, MAX_SOCKETS_PER_USER)", async () => {
    const dee = await registerUser("limdee");
    const first = await handshake(strict.socketUrl, dee.token);
    closers.push(first);
    expect(first.outcome).toBe("ready");
    // perDevice 1: a second socket of the same device is refused.
    const twin = await handshake(strict.socketUrl, dee.token);
    closers.push(twin);
    expect(twin.outcome).toBe("rate_limited");
    // perUser 3: two more devices pass, the fourth is refused.
    const outcomes: string[] = [];
    for (const deviceId of ["d2", "d3", "d4"]) {
      const other = await handshake(strict.socketUrl, await loginDevice(dee, deviceId));
      closers.push(other);
      outcomes.push(other.outcome);
    }
    expect(outcomes).toEqual(["ready", "ready", "rate_limited"]);
    // Another node counts its own sockets.
    const elsewhere = await handshake(roomy.socketUrl, dee.token);
    closers.push(elsewhere);
    expect(elsewhere.outcome).toBe("ready");
  });
});
