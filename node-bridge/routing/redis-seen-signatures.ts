// The signed calls every node of the core has accepted, in Redis: a call replayed to another
// node within its window is refused there too (server-auth/signing.ts, SeenSignatures).
import type { Redis } from "ioredis";
import type { SeenSignatures } from "../../server-auth/signing.js";
import { redisKeys } from "./redis-keys.js";

export class RedisSeenSignatures implements SeenSignatures {
  constructor(private readonly redis: Redis) {}

  async firstSeen(signature: string, expiresAt: number): Promise<boolean> {
    // SET NX: exactly one caller records it; PXAT: gone when the call would be stale anyway.
    const recorded = await this.redis.set(redisKeys.seenSignature(signature), "1", "PXAT", Math.max(expiresAt, Date.now() + 1), "NX");
    return recorded === "OK";
  }
}
