import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ReplayGuard,
  SIGNATURE_HEADER,
  SIGNATURE_MAX_SKEW_MS,
  TIMESTAMP_HEADER,
  signCall,
  signedMessage,
  verifySignedCall,
  type SignedCall,
} from "../../server-auth/signing.js";
import { signatureLedger } from "../../worker/bridge-link/signature-ledger.js";
import { call } from "./http.js";

// Signed internal calls, format v2 (docs/PROTOCOL.md, section 7): the signature covers
// direction, method, path, timestamp and body, and a receiver takes each signature once.
describe("signed internal calls", () => {
  it("matches the test vector of docs/PROTOCOL.md", async () => {
    const vector: SignedCall = {
      direction: "hub->bridge",
      method: "POST",
      path: "/internal/presence",
      body: '{"userId":"5f0c1a9e-8d7b-4f0e-9a51-3c2b1d0e4f6a","deviceIds":[]}',
    };
    expect(signedMessage(vector, "1732354021337")).toBe(
      'v2\nhub->bridge\nPOST\n/internal/presence\n1732354021337\n{"userId":"5f0c1a9e-8d7b-4f0e-9a51-3c2b1d0e4f6a","deviceIds":[]}',
    );
    const headers = await signCall("s3cret-s3cret-s3cret", vector, 1732354021337);
    expect(headers).toEqual({
      "X-EdgeIM-Timestamp": "1732354021337",
      "X-EdgeIM-Signature": "15e6e58ab82d908bb324250ae5d5c6cbc0efd91106bd173c5b74cc2095c62cd3",
    });
    const now = 1732354021337 + 60_000;
    expect(await verifySignedCall("s3cret-s3cret-s3cret", vector, headers["X-EdgeIM-Timestamp"], headers["X-EdgeIM-Signature"], now)).toBe(true);
    expect(await verifySignedCall("s3cret-s3cret-s3cret", vector, headers["X-EdgeIM-Timestamp"], headers["X-EdgeIM-Signature"], now + 1)).toBe(false);
    // Upper-case hex, another direction, method or path: refused.
    const sig = headers["X-EdgeIM-Signature"]!;
    expect(await verifySignedCall("s3cret-s3cret-s3cret", vector, "1732354021337", sig.toUpperCase(), now)).toBe(false);
    for (const other of [{ direction: "worker->bridge" as const }, { method: "PUT" }, { path: "/internal/deliver" }]) {
      expect(await verifySignedCall("s3cret-s3cret-s3cret", { ...vector, ...other }, "1732354021337", sig, now)).toBe(false);
    }
  });

  it("a busy sender's timestamps never run more than a second ahead of the clock", async () => {
    // 3,000 calls signed as fast as this isolate can: with one millisecond added per call
    // regardless of the clock, the last would be seconds ahead, and past 60 s refused.
    let headers: Record<string, string> = {};
    let call: SignedCall = { direction: "worker->bridge", method: "POST", path: "/internal/deliver", body: "" };
    for (let i = 0; i < 3_000; i++) {
      call = { ...call, body: `{"i":${i}}` };
      headers = await signCall(env.BRIDGE_SECRET!, call);
    }
    expect(Number(headers[TIMESTAMP_HEADER]) - Date.now()).toBeLessThanOrEqual(1_000);
    expect(await verifySignedCall(env.BRIDGE_SECRET!, call, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])).toBe(true);
  });

  it("a bounded replay guard forgets signatures once they are stale", () => {
    const guard = new ReplayGuard(3);
    expect(guard.firstSeen("a", 61_000, 1_000)).toBe(true);
    expect(guard.firstSeen("a", 61_000, 2_000)).toBe(false);
    expect(guard.firstSeen("a", 61_000, 61_001)).toBe(true); // stale anyway: the signature check refuses it
    for (const s of ["b", "c", "d", "e"]) guard.firstSeen(s, 130_000, 70_000);
    expect(guard.size).toBeLessThanOrEqual(3);
  });

  const deliverBody = JSON.stringify({ event: { type: "typing", conversationId: `g:${crypto.randomUUID()}`, userId: crypto.randomUUID() }, userIds: [crypto.randomUUID()] });
  const post = (path: string, body: string, headers: Record<string, string>) =>
    call("POST", path, { rawBody: body, headers: { "Content-Type": "application/json", ...headers } });

  it("the Worker refuses a Worker -> bridge call reflected back at it", async () => {
    const toBridge = await signCall(env.BRIDGE_SECRET!, { direction: "worker->bridge", method: "POST", path: "/internal/deliver", body: deliverBody });
    expect((await post("/internal/deliver", deliverBody, toBridge)).status).toBe(401);
    const fromHub = await signCall(env.BRIDGE_SECRET!, { direction: "hub->bridge", method: "POST", path: "/internal/deliver", body: deliverBody });
    expect((await post("/internal/deliver", deliverBody, fromHub)).status).toBe(401);
  });

  it("the Worker refuses a call signed for another path", async () => {
    const forPresence = await signCall(env.BRIDGE_SECRET!, { direction: "bridge->worker", method: "POST", path: "/internal/presence", body: deliverBody });
    expect((await post("/internal/deliver", deliverBody, forPresence)).status).toBe(401);
  });

  it("the Worker takes a signed call once: the same call again is a replay", async () => {
    const headers = await signCall(env.BRIDGE_SECRET!, { direction: "bridge->worker", method: "POST", path: "/internal/deliver", body: deliverBody });
    expect((await post("/internal/deliver", deliverBody, headers)).status).toBe(200);
    const replay = await post("/internal/deliver", deliverBody, headers);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("unauthorized");
    // A fresh signature over the same body is a new call.
    const again = await signCall(env.BRIDGE_SECRET!, { direction: "bridge->worker", method: "POST", path: "/internal/deliver", body: deliverBody });
    expect((await post("/internal/deliver", deliverBody, again)).status).toBe(200);
  });

  it("the Worker's memory of accepted calls is shared by its isolates (the SignatureLedger objects)", async () => {
    const headers = await signCall(env.BRIDGE_SECRET!, { direction: "bridge->worker", method: "POST", path: "/internal/deliver", body: deliverBody });
    // Some other isolate took this call first and told the ledger; this request is then a replay.
    const expiresAt = Number(headers[TIMESTAMP_HEADER]) + SIGNATURE_MAX_SKEW_MS;
    expect(await signatureLedger(env).firstSeen(headers[SIGNATURE_HEADER]!, expiresAt)).toBe(true);
    const replay = await post("/internal/deliver", deliverBody, headers);
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toBe("replayed call");
  });
});
