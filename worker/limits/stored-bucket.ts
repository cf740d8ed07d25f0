import type { RateLimit } from "./limit-config.js";
import { takeToken, type Bucket, type Verdict } from "./token-bucket.js";

/**
 * Takes a token from a bucket kept in a Durable Object's storage. The read and the write
 * are storage calls only, so the object's input gate keeps concurrent requests from
 * interleaving between them: the count is exact, across every isolate and location.
 */
export async function takeStoredToken(storage: DurableObjectStorage, name: string, limit: RateLimit): Promise<Verdict> {
  const key = `limit:${name}`;
  const { verdict, bucket } = takeToken(await storage.get<Bucket>(key), limit, Date.now());
  await storage.put(key, bucket);
  return verdict;
}
