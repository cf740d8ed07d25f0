// Access tokens: JWT, HS256, key AUTH_SECRET. Issued by the Worker, verified locally by
// the Worker and by every bridge node. jose runs on workerd and Node alike.
import { SignJWT, jwtVerify, errors } from "jose";
import { AccessTokenClaims } from "../protocol/auth.js";

const encoder = new TextEncoder();
export const ACCESS_TOKEN_ISSUER = "edge-im";

export async function signAccessToken(
  secret: string,
  claims: { userId: string; deviceId: string; sessionId: string },
  ttlSeconds: number,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ did: claims.deviceId, sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(encoder.encode(secret));
}

export type VerifiedToken =
  | { ok: true; userId: string; deviceId: string; sessionId: string; expiresAt: number }
  | { ok: false; reason: "expired" | "invalid" };

export async function verifyAccessToken(secret: string, token: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ["HS256"],
      issuer: ACCESS_TOKEN_ISSUER,
    });
    const claims = AccessTokenClaims.safeParse(payload);
    if (!claims.success) return { ok: false, reason: "invalid" };
    return {
      ok: true,
      userId: claims.data.sub,
      deviceId: claims.data.did,
      sessionId: claims.data.sid,
      expiresAt: claims.data.exp * 1000,
    };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
