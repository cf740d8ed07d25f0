import type { Env } from "../env.js";

/** A burst of `count`, refilled at `count` per `windowSeconds` (a token bucket). */
export interface RateLimit {
  count: number;
  windowSeconds: number;
}

/**
 * Every rate limit of the Worker: its var (wrangler.toml [vars], written "count/seconds")
 * and its default. docs/API.md "Limits" lists them with what a client sees.
 */
export const RATE_LIMITS = {
  /** Message sends per user, over HTTP, the edge and Socket.IO alike (one send path). */
  messages: { envVar: "LIMIT_MESSAGES", fallback: { count: 60, windowSeconds: 10 } },
  /** Frames of any type per edge WebSocket (the Socket.IO node limits its own sockets). */
  frames: { envVar: "LIMIT_FRAMES", fallback: { count: 120, windowSeconds: 10 } },
  /** Typing notices per user. */
  typing: { envVar: "LIMIT_TYPING", fallback: { count: 20, windowSeconds: 10 } },
  /** Friend requests sent per user. */
  friendRequests: { envVar: "LIMIT_FRIEND_REQUESTS", fallback: { count: 20, windowSeconds: 3600 } },
  /** Groups created per user. */
  groupCreates: { envVar: "LIMIT_GROUP_CREATES", fallback: { count: 10, windowSeconds: 3600 } },
  /** Invite calls (POST /api/groups/:id/members) per user. */
  groupInvites: { envVar: "LIMIT_GROUP_INVITES", fallback: { count: 30, windowSeconds: 3600 } },
  /** Registrations per client address (CF-Connecting-IP). */
  registrations: { envVar: "LIMIT_REGISTRATIONS", fallback: { count: 20, windowSeconds: 3600 } },
  /** Uploads per user. */
  uploads: { envVar: "LIMIT_UPLOADS", fallback: { count: 10, windowSeconds: 60 } },
} as const satisfies Record<string, { envVar: keyof Env; fallback: RateLimit }>;

export type LimitName = keyof typeof RATE_LIMITS;

/** Sum of the sizes of one user's uploads, in bytes (STORAGE_QUOTA_BYTES). */
export const DEFAULT_STORAGE_QUOTA_BYTES = 1024 * 1024 * 1024;
/** Open edge sockets of one user, all devices together (MAX_SOCKETS_PER_USER); one per device always. */
export const DEFAULT_MAX_SOCKETS_PER_USER = 10;

/** Parses "count/seconds"; a malformed value is a deploy mistake, so it falls back loudly. */
export function parseRateLimit(value: string | undefined, fallback: RateLimit): RateLimit {
  if (value === undefined || value === "") return fallback;
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  const count = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || count < 1 || !(windowSeconds > 0)) {
    console.warn(`ignoring malformed rate limit ${JSON.stringify(value)} (expected "count/seconds"), using ${fallback.count}/${fallback.windowSeconds}`);
    return fallback;
  }
  return { count, windowSeconds };
}

export function rateLimitOf(env: Env, name: LimitName): RateLimit {
  const { envVar, fallback } = RATE_LIMITS[name];
  return parseRateLimit(env[envVar], fallback);
}
