// Signed internal calls between the Worker and the bridge (both directions), format v2
// (docs/PROTOCOL.md, section 7). Headers: X-EdgeIM-Timestamp (Unix ms) and
// X-EdgeIM-Signature (lower-case hex HMAC-SHA256 with BRIDGE_SECRET) over
//   "v2\n{direction}\n{METHOD}\n{path}\n{timestamp}\n{body}"
// so a signature is bound to who sends it to whom and to the endpoint, not only to the
// body: a Worker -> bridge deliver cannot be replayed to the Worker's own /internal/deliver.
// A call older or newer than SIGNATURE_MAX_SKEW_MS is refused, and a receiver refuses a
// signature it already accepted (SeenSignatures, below) for as long as that call is fresh.
// WebCrypto only: runs on workerd and Node alike.
import type { z } from "zod";

export const TIMESTAMP_HEADER = "X-EdgeIM-Timestamp";
export const SIGNATURE_HEADER = "X-EdgeIM-Signature";
export const SIGNATURE_MAX_SKEW_MS = 60_000;
export const SIGNATURE_VERSION = "v2";

/** Who calls whom: part of the signed message, so a call is only valid in its own direction. */
export type SignedCallDirection = "worker->bridge" | "hub->bridge" | "bridge->worker";

/** What a signature covers besides the timestamp. `path` is the endpoint's path, e.g. "/internal/deliver" (no query). */
export interface SignedCall {
  direction: SignedCallDirection;
  method: string;
  path: string;
  body: string;
}

const encoder = new TextEncoder();

/** Imported HMAC keys by secret: importing once per call is wasted work. Few secrets ever exist. */
const keys = new Map<string, Promise<CryptoKey>>();
const MAX_CACHED_KEYS = 8;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

/** The exact text that is signed. */
export function signedMessage(call: SignedCall, timestamp: string): string {
  return `${SIGNATURE_VERSION}\n${call.direction}\n${call.method.toUpperCase()}\n${call.path}\n${timestamp}\n${call.body}`;
}

async function hmacHex(secret: string, data: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(data));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Increasing per process, so two identical calls in one millisecond still get two signatures,
 * but never more than MAX_LEAD_MS ahead of the clock: a sender of over 1,000 calls/s would
 * otherwise run ahead of real time until its calls fell outside the skew window. Past that
 * lead, two identical calls in one millisecond may share a signature (the second is then
 * refused as a replay); calls whose bodies differ never do.
 */
const MAX_LEAD_MS = 1_000;
let lastTimestamp = 0;
export function nextTimestamp(now = Date.now()): number {
  lastTimestamp = Math.max(now, Math.min(lastTimestamp + 1, now + MAX_LEAD_MS));
  return lastTimestamp;
}

/** The headers to send with `call.body`. */
export async function signCall(secret: string, call: SignedCall, now = nextTimestamp()): Promise<Record<string, string>> {
  const timestamp = String(now);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: await hmacHex(secret, signedMessage(call, timestamp)) };
}

/** Whether the headers sign `call` with `secret` within the skew window. Constant-time (crypto.subtle.verify). */
export async function verifySignedCall(
  secret: string,
  call: SignedCall,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  now = Date.now(),
): Promise<boolean> {
  if (!secret || !timestamp || !signature || !/^\d{1,16}$/.test(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) return false;
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(secret), hexBytes(signature), encoder.encode(signedMessage(call, timestamp)));
}

/**
 * Where a receiver remembers the signatures it accepted, each until its call leaves the
 * skew window: a second call with one of them is a replay. Shared by every receiver of
 * one kind, so a replay sent to another node or isolate is refused too: Redis for the
 * bridge nodes of a core, a Durable Object ledger for the Worker's isolates.
 */
export interface SeenSignatures {
  /** Records `signature` until `expiresAt` (Unix ms); false if it is recorded and still fresh. */
  firstSeen(signature: string, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * SeenSignatures in one process's memory (an embedded node, which is alone), bounded: past
 * `capacity` the oldest entries go first (a replay of an evicted call would pass again, so
 * size it above the calls a receiver takes in two minutes).
 */
export class ReplayGuard implements SeenSignatures {
  private readonly seen = new Map<string, number>();

  constructor(private readonly capacity = 50_000) {}

  firstSeen(signature: string, expiresAt: number, now = Date.now()): boolean {
    const expiry = this.seen.get(signature);
    if (expiry !== undefined && expiry >= now) return false;
    for (const [old, oldExpiry] of this.seen) {
      if (oldExpiry >= now && this.seen.size < this.capacity) break;
      this.seen.delete(old);
    }
    this.seen.set(signature, expiresAt);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Why a signed call was refused, with the status and error code both receivers answer. */
export type SignedJsonRefusal = { status: 401 | 400; code: "unauthorized" | "invalid_json" | "invalid_body"; message: string };

/**
 * The receiving side of a signed call, shared by the Worker and the bridge: verify the
 * signature over direction, method, path and raw body first (nothing unsigned is even
 * parsed), refuse a replay, then parse the JSON against its schema.
 */
export async function openSignedJson<S extends z.ZodType>(
  secret: string,
  call: SignedCall,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  replays: SeenSignatures,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | ({ ok: false } & SignedJsonRefusal)> {
  const { timestamp, signature } = headers;
  if (!(await verifySignedCall(secret, call, timestamp, signature))) {
    return { ok: false, status: 401, code: "unauthorized", message: "missing, stale or invalid signature" };
  }
  if (!(await replays.firstSeen(signature!, Number(timestamp) + SIGNATURE_MAX_SKEW_MS))) {
    return { ok: false, status: 401, code: "unauthorized", message: "replayed call" };
  }
  let json: unknown;
  try {
    json = JSON.parse(call.body);
  } catch {
    return { ok: false, status: 400, code: "invalid_json", message: "body is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, status: 400, code: "invalid_body", message: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  return { ok: true, data: parsed.data };
}
