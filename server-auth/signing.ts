// Signed internal calls between the Worker and the bridge (both directions).
// Headers: X-EdgeIM-Timestamp (Unix ms) and X-EdgeIM-Signature (hex HMAC-SHA256 of
// `${timestamp}.${rawBody}` with BRIDGE_SECRET). A call older or newer than
// SIGNATURE_MAX_SKEW_MS is refused, so a captured call cannot be replayed later.
// WebCrypto only: runs on workerd and Node alike.
export const TIMESTAMP_HEADER = "X-EdgeIM-Timestamp";
export const SIGNATURE_HEADER = "X-EdgeIM-Signature";
export const SIGNATURE_MAX_SKEW_MS = 60_000;

import type { z } from "zod";

const encoder = new TextEncoder();

async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(data));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The headers to send with `body`. */
export async function signBody(secret: string, body: string, now = Date.now()): Promise<Record<string, string>> {
  const timestamp = String(now);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: await hmacHex(secret, `${timestamp}.${body}`) };
}

export async function verifySignedBody(
  secret: string,
  body: string,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  now = Date.now(),
): Promise<boolean> {
  if (!secret || !timestamp || !signature || !/^\d{1,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS) return false;
  const expected = await hmacHex(secret, `${timestamp}.${body}`);
  if (expected.length !== signature.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
  return diff === 0;
}

/** Why a signed call was refused, with the status and error code both receivers answer. */
export type SignedJsonRefusal = { status: 401 | 400; code: "unauthorized" | "invalid_json" | "invalid_body"; message: string };

/**
 * The receiving side of a signed call, shared by the Worker and the bridge: verify the
 * signature over the raw body first (nothing unsigned is even parsed), then parse the JSON
 * against its schema.
 */
export async function openSignedJson<S extends z.ZodType>(
  secret: string,
  body: string,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | ({ ok: false } & SignedJsonRefusal)> {
  if (!(await verifySignedBody(secret, body, timestamp, signature))) {
    return { ok: false, status: 401, code: "unauthorized", message: "missing, stale or invalid signature" };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, status: 400, code: "invalid_json", message: "body is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, status: 400, code: "invalid_body", message: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  return { ok: true, data: parsed.data };
}
