// The signed internal calls of server-auth/signing.ts (format v2, the same bytes on the
// wire), signed and verified with node:crypto for Node processes: the bridge nodes, the
// benchmark's injector. WebCrypto imports the key and goes through a promise per call, which
// cost a bridge node about a fifth of its CPU at a few thousand calls a second; here the key
// is imported once per signer and an HMAC is a few microseconds, synchronously.
// Node only, beside the bridge: the Worker keeps server-auth/signing.ts (WebCrypto).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { SIGNATURE_HEADER, SIGNATURE_MAX_SKEW_MS, SIGNATURE_VERSION, TIMESTAMP_HEADER, type SignedCall, type SignedCallDirection } from "../../server-auth/signing.js";

const TIMESTAMP_FORMAT = /^\d{1,16}$/;
const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/;

/** What is signed before the body: `signedMessage(call, timestamp)` without `call.body`. */
function signedHead(direction: SignedCallDirection, method: string, path: string, timestamp: string): string {
  return `${SIGNATURE_VERSION}\n${direction}\n${method.toUpperCase()}\n${path}\n${timestamp}\n`;
}

/** A signed call whose body is still raw bytes (what an HTTP server reads): hashed as received, never re-encoded. */
export interface RawSignedCall extends Omit<SignedCall, "body"> {
  body: string | Buffer;
}

export class NodeCallSigner {
  private readonly key: KeyObject;
  /** As in signing.ts: with no secret configured, nothing verifies. */
  private readonly hasSecret: boolean;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, "utf8"));
    this.hasSecret = secret.length > 0;
  }

  private mac(call: RawSignedCall, timestamp: string): Buffer {
    return createHmac("sha256", this.key).update(signedHead(call.direction, call.method, call.path, timestamp)).update(call.body).digest();
  }

  /** The headers to send with `call.body`; `now` is the timestamp (Unix ms). */
  sign(call: RawSignedCall, now = Date.now()): Record<string, string> {
    const timestamp = String(now);
    return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: this.mac(call, timestamp).toString("hex") };
  }

  /**
   * Whether the headers sign `call` within the skew window: the same rules as
   * signing.ts's verifySignedCall (formats, skew), compared in constant time.
   */
  verify(call: RawSignedCall, timestamp: string | null | undefined, signature: string | null | undefined, now = Date.now()): boolean {
    if (!this.hasSecret || !timestamp || !signature || !TIMESTAMP_FORMAT.test(timestamp) || !SIGNATURE_FORMAT.test(signature)) return false;
    if (Math.abs(now - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS) return false;
    return timingSafeEqual(this.mac(call, timestamp), Buffer.from(signature, "hex"));
  }
}
