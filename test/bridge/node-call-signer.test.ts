// The bridge's node:crypto signer/verifier (node-bridge/edge-link/node-call-signer.ts) against the
// Worker's WebCrypto one (server-auth/signing.ts): the same bytes on the wire both ways,
// and the same refusals (wrong secret, direction, path or body, stale, malformed).
import { describe, expect, it } from "vitest";
import { NodeCallSigner } from "../../node-bridge/edge-link/node-call-signer.js";
import { SIGNATURE_HEADER, SIGNATURE_MAX_SKEW_MS, TIMESTAMP_HEADER, signCall, verifySignedCall, type SignedCall } from "../../server-auth/signing.js";

const secret = "test-secret-0123456789abcdef0123456789abcdef";
const call: SignedCall = { direction: "worker->bridge", method: "POST", path: "/internal/deliver", body: JSON.stringify({ text: "héllo ✓" }) };

describe("NodeCallSigner", () => {
  it("signs exactly as signCall does, and each verifies the other's signature", async () => {
    const now = Date.now();
    const web = await signCall(secret, call, now);
    const node = new NodeCallSigner(secret).sign(call, now);
    expect(node).toEqual(web);
    expect(new NodeCallSigner(secret).verify({ ...call, body: Buffer.from(call.body) }, web[TIMESTAMP_HEADER], web[SIGNATURE_HEADER])).toBe(true);
    expect(await verifySignedCall(secret, call, node[TIMESTAMP_HEADER], node[SIGNATURE_HEADER])).toBe(true);
  });

  it("refuses another secret, direction, method, path or body, a stale or malformed header, and an empty secret", async () => {
    const signer = new NodeCallSigner(secret);
    const headers = await signCall(secret, call, Date.now());
    const [timestamp, signature] = [headers[TIMESTAMP_HEADER]!, headers[SIGNATURE_HEADER]!];
    expect(new NodeCallSigner("another-secret-0123456789abcdef0123456789").verify(call, timestamp, signature)).toBe(false);
    expect(signer.verify({ ...call, direction: "hub->bridge" }, timestamp, signature)).toBe(false);
    expect(signer.verify({ ...call, method: "PUT" }, timestamp, signature)).toBe(false);
    expect(signer.verify({ ...call, path: "/internal/presence" }, timestamp, signature)).toBe(false);
    expect(signer.verify({ ...call, body: `${call.body} ` }, timestamp, signature)).toBe(false);
    const stale = await signCall(secret, call, Date.now() - SIGNATURE_MAX_SKEW_MS - 1_000);
    expect(signer.verify(call, stale[TIMESTAMP_HEADER], stale[SIGNATURE_HEADER])).toBe(false);
    expect(signer.verify(call, undefined, signature)).toBe(false);
    expect(signer.verify(call, timestamp, signature.toUpperCase())).toBe(false);
    expect(signer.verify(call, timestamp, signature.slice(2))).toBe(false);
    expect(signer.verify(call, `${timestamp}.5`, signature)).toBe(false);
    expect(new NodeCallSigner("").verify(call, ...(Object.values(new NodeCallSigner("").sign(call)) as [string, string]))).toBe(false);
  });
});
