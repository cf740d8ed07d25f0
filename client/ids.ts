/**
 * A fresh clientMsgId (the idempotency key of a send): 32 hex digits from
 * crypto.getRandomValues, which, unlike randomUUID, browsers also offer on plain http.
 */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
