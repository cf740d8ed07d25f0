import type { RateLimit } from "./limit-config.js";

/** A bucket's state: tokens left when last touched. Cloneable, so Durable Object storage keeps it. */
export interface Bucket {
  tokens: number;
  at: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Takes one token: a full bucket holds `count`, refilled continuously at `count` per
 * window, so a burst of `count` passes and then one more every window/count. Returns the
 * verdict and the bucket to store. Refused: the whole seconds until one token is back.
 */
export function takeToken(bucket: Bucket | undefined, limit: RateLimit, now: number): { verdict: Verdict; bucket: Bucket } {
  const perMs = limit.count / (limit.windowSeconds * 1000);
  const tokens = bucket ? Math.min(limit.count, bucket.tokens + (now - bucket.at) * perMs) : limit.count;
  if (tokens >= 1) return { verdict: { allowed: true }, bucket: { tokens: tokens - 1, at: now } };
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
  return { verdict: { allowed: false, retryAfterSeconds }, bucket: { tokens, at: now } };
}
