// The isolate's cache of verified access tokens (worker/auth/verified-tokens.ts): a cached
// token still stops working when it expires, and only under the secret that signed it.
import { describe, expect, it } from "vitest";
import { signAccessToken } from "../../server-auth/access-token.js";
import { verifyAccessTokenCached } from "../../worker/auth/verified-tokens.js";

const claims = { userId: "u-cache", deviceId: "d-cache", sessionId: "s-cache" };

describe("verified access tokens, cached per isolate", () => {
  it("a cached token is refused as expired once its expiry passes", async () => {
    const token = await signAccessToken("secret-one", claims, 1);
    const first = await verifyAccessTokenCached("secret-one", token);
    expect(first).toMatchObject({ ok: true, userId: "u-cache", deviceId: "d-cache", sessionId: "s-cache" });
    if (!first.ok) return;
    // From the cache while it lasts...
    expect(await verifyAccessTokenCached("secret-one", token)).toEqual(first);
    // ...and expired after, as an uncached check says.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, first.expiresAt - Date.now()) + 50));
    expect(await verifyAccessTokenCached("secret-one", token)).toEqual({ ok: false, reason: "expired" });
  });

  it("a cached token is not accepted under another secret", async () => {
    const token = await signAccessToken("secret-one", claims, 60);
    expect((await verifyAccessTokenCached("secret-one", token)).ok).toBe(true);
    expect(await verifyAccessTokenCached("secret-two", token)).toEqual({ ok: false, reason: "invalid" });
    expect((await verifyAccessTokenCached("secret-one", token)).ok).toBe(true);
  });

  it("a tampered token is refused", async () => {
    const token = await signAccessToken("secret-one", claims, 60);
    expect((await verifyAccessTokenCached("secret-one", token)).ok).toBe(true);
    expect(await verifyAccessTokenCached("secret-one", `${token}x`)).toEqual({ ok: false, reason: "invalid" });
  });
});
