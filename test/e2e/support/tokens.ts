// Reading an access token's claims in tests (a JWT's payload is base64url JSON; no check).

/** The session id (`sid`) of an access token: a token forged for tests must name a live session. */
export function sessionIdOf(accessToken: string): string {
  const payload = accessToken.split(".")[1] ?? "";
  return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sid: string }).sid;
}
