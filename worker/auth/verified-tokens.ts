// Access tokens this isolate has verified, by their text. A token's signature and claims
// never change, so only its expiry needs checking again: a client (or a bridge node
// forwarding its sends) presents the same token on every request until it refreshes, and
// the signature check (key import, HMAC, claims schema) then runs once per token and
// isolate instead of once per request. Whether its session is still live is a separate,
// short-lived answer (session-check.ts).
import { verifyAccessToken, type VerifiedToken } from "../../server-auth/access-token.js";

type Verified = Extract<VerifiedToken, { ok: true }>;

/** Bound on the cache; past it the cache starts over (as session-check.ts does). */
const MAX_CACHED = 10_000;

const verified = new Map<string, { secret: string; token: Verified }>();

/** verifyAccessToken, answered from the cache for a token verified before with the same secret and not expired. */
export async function verifyAccessTokenCached(secret: string, token: string, now = Date.now()): Promise<VerifiedToken> {
  const cached = verified.get(token);
  if (cached?.secret === secret && now < cached.token.expiresAt) return cached.token;
  const result = await verifyAccessToken(secret, token);
  if (result.ok) {
    if (verified.size >= MAX_CACHED) verified.clear();
    verified.set(token, { secret, token: result });
  } else {
    verified.delete(token);
  }
  return result;
}
